"""A staff session started directly, for tests whose subject is not signing in: the same
server-side session that signing in starts (``accounts.users.start_session``), its token put
where Flask-Login keeps it, with no request to the sign-in forms. The tests of signing in use
the real forms (``tests.conftest.sign_in``)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from pyydaapua.accounts import users
from pyydaapua.database import db
from pyydaapua.models import StaffUser


def start_session(client: FlaskClient, email: str) -> str:
    """Sign ``client`` in as the user ``email`` without the forms; returns the token."""
    with client.application.app_context():
        user = db.session.scalars(select(StaffUser).where(StaffUser.email == email)).one()
        token = users.start_session(user)
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = token
        session["_fresh"] = True
    return token
