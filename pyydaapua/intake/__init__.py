"""The parent's side: landing page, request form, confirmation, privacy and accessibility."""
