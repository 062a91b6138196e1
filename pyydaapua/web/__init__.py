"""The web plumbing shared by every capability: configuration, extensions, errors, security,
htmx, languages and labels, the site's two areas (public and staff), request checks and the
forms' base class."""
