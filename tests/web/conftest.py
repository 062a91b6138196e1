"""Fixtures of the view tests: a request with something for every staff route to act on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from pyydaapua.accounts.users import create_user
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import Service
from pyydaapua.notices.outbox import new_message


@pytest.fixture
def worked_request(app) -> dict[str, int | str]:
    """A request with a visit and a referral, so every route has something to act on."""
    from pyydaapua.casework import changes
    from pyydaapua.tools import demo

    with app.app_context():
        demo.load_services()
        stored = submit(
            NewRequest(
                submission_key="w" * 32, language="fi", call_language="fi", phone="+358401234567"
            )
        )
        worker = create_user("worker@example.fi", "Worker", "counsellor", "long enough pw")
        service = db.session.scalars(select(Service)).first()
        changes.book_visit(
            stored, worker, 1, changes.VisitData(datetime.now(UTC), 60, "K 1", [worker])
        )
        changes.refer(stored, worker, 2, service, "sent")
        undelivered = new_message("test", "team@example.fi", "fi", "Aihe", "Viesti\n")
        undelivered.status = "failed"
        db.session.add(undelivered)
        db.session.commit()
        return {
            "message_id": undelivered.id,
            "request_id": stored.id,
            "visit_id": changes.visits(stored.id)[0].id,
            "referral_id": changes.referrals(stored.id)[0].id,
            "version": stored.version,
            "reference": stored.reference,
            "user_id": worker.id,
            "service_id": service.id,
        }
