"""Templates only render: the views compute what a page shows and commit what they recorded
before rendering, so no SQL statement is sent while a template is rendered (a template that
called a function reading the database or writing audit rows would send one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, before_render_template, template_rendered
from sqlalchemy import event

from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, OutboxMessage
from pyydaapua.tools import demo
from tests.helpers.forms import csrf_token


class RenderWatch:
    """The statements sent while a template was being rendered, by template name."""

    def __init__(self) -> None:
        self.rendering: list[str] = []
        self.during: list[tuple[str, str]] = []
        self.rendered: list[str] = []

    def started(self, _app: Flask, template: Any, **_extra: Any) -> None:
        self.rendering.append(template.name)

    def finished(self, _app: Flask, template: Any, **_extra: Any) -> None:
        self.rendering.pop()
        self.rendered.append(template.name)

    def statement(self, *args: Any) -> None:
        if self.rendering:
            self.during.append((self.rendering[-1], str(args[2])[:80]))


@pytest.fixture
def watch(app: Flask) -> Iterator[RenderWatch]:
    watching = RenderWatch()
    with app.app_context():
        engine = db.engine
    before_render_template.connect(watching.started, app)
    template_rendered.connect(watching.finished, app)
    event.listen(engine, "before_cursor_execute", watching.statement)
    try:
        yield watching
    finally:
        event.remove(engine, "before_cursor_execute", watching.statement)
        template_rendered.disconnect(watching.finished, app)
        before_render_template.disconnect(watching.started, app)


@pytest.fixture
def requests(app: Flask) -> list[int]:
    """Two requests from the same phone number (the request page names the other one), and a
    message that was not delivered (the supervisor's menu counts it)."""
    with app.app_context():
        demo.load_services()
        ids = []
        for number in range(2):
            stored = submit(
                NewRequest(
                    submission_key=f"{number}" * 32,
                    language="fi",
                    call_language="fi",
                    phone="+358401234567",
                    description="Tarvitsemme apua",
                    topics=["finances"],
                ),
                now=datetime.now(UTC) - timedelta(hours=2 - number),
            )
            ids.append(stored.id)
        db.session.add(
            OutboxMessage(
                created_at=datetime.now(UTC),
                kind="team_new_request",
                request_id=ids[0],
                recipient="tiimi@example.fi",
                language="fi",
                subject="Uusi yhteydenottopyyntö",
                body="",
                status="failed",
                attempts=1,
                next_attempt_at=datetime.now(UTC),
                last_error="550",
            )
        )
        db.session.commit()
        return ids


STAFF_PAGES = {
    "supervisor": [
        "/staff/",
        "/staff/?q=+358401234567",
        "/staff/requests/{id}",
        "/staff/requests/{id}/export",
        "/staff/reports",
        "/staff/audit",
        "/staff/access-log",
        "/staff/mail",
        "/staff/account",
    ],
    "counsellor": ["/staff/", "/staff/requests/{id}", "/staff/account/password"],
    "admin": ["/staff/admin/users", "/staff/admin/services", "/staff/admin/users/new"],
}


@pytest.mark.parametrize("role", list(STAFF_PAGES))
def test_no_staff_page_reads_or_writes_while_rendering(
    app, staff_client, requests, watch, role
) -> None:
    client = staff_client(role)
    for path in STAFF_PAGES[role]:
        response = client.get(path.format(id=requests[1]))
        assert response.status_code == 200, path
    assert watch.rendered, "nothing was rendered"
    assert watch.during == []


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_no_casework_answer_reads_or_writes_while_rendering(
    app, staff_client, requests, watch, htmx
) -> None:
    counsellor = staff_client("counsellor")
    headers = {"HX-Request": "true"} if htmx else {}
    url = f"/staff/requests/{requests[1]}/notes"
    with app.app_context():
        version = db.session.get(HelpRequest, requests[1]).version
    token = csrf_token(counsellor)
    done = counsellor.post(
        url,
        data={"csrf_token": token, "note-note": "Soitin", "note-version": version},
        headers=headers,
    )
    assert done.status_code == (200 if htmx else 303)
    refused = counsellor.post(
        url,
        data={"csrf_token": token, "note-note": "", "note-version": version + 1},
        headers=headers,
    )
    assert refused.status_code == 422
    assert watch.during == []
