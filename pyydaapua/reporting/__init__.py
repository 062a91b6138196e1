"""The supervisor's reports: volumes, seasons, response times, and their CSV."""
