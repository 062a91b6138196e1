"""The staff side: sign-in, the inbox and the account page."""

from .views import bp

__all__ = ["bp"]
