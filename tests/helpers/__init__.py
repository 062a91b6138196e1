"""Helpers shared by the tests: servers, the HTML checker, the SMTP server, report data and
staff sessions. Test modules import from here, never from each other."""
