"""The parent's side: landing page, request form, confirmation, privacy and accessibility."""

from pyydaapua.intake.views import bp, root

__all__ = ["bp", "root"]
