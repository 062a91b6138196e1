"""The parent's side: landing page, request form, confirmation, privacy and accessibility."""

from .views import bp, root

__all__ = ["bp", "root"]
