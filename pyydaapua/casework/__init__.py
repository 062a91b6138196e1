"""Casework on one request: the request page, its actions and their registry, the timeline."""
