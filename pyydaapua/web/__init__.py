"""The web plumbing shared by every capability: configuration, extensions, errors, security,
htmx, languages and labels, request checks, forms' base class and the staff area's blueprint."""
