"""The staff area under /staff/: one blueprint on which each capability's staff views register
their routes (endpoints ``staff.<name>``). Every staff view needs sign-in and a permission."""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

# The modules whose views register on ``bp``; each is imported once, when the app is made.
VIEW_MODULES = (
    "pyydaapua.accounts.views",
    "pyydaapua.accounts.second_step",
    "pyydaapua.accounts.passwords",
    "pyydaapua.accounts.admin",
    "pyydaapua.inbox.views",
    "pyydaapua.casework.views",
    "pyydaapua.reporting.views",
    "pyydaapua.data_rights.views",
    "pyydaapua.catalogue.views",
    "pyydaapua.notices.views",
)


def load_views() -> Blueprint:
    """The staff blueprint with every capability's routes registered."""
    for name in VIEW_MODULES:
        import_module(name)
    return bp
