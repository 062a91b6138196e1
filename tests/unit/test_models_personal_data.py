"""Every column says whether it is the family's personal data (removed by retention) or kept."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from pyydaapua import models  # noqa: F401  (fills db.metadata)
from pyydaapua.data_rights import retention
from pyydaapua.database import db

# What retention removes. A change here is a change of what the service keeps about families.
PERSONAL = {
    "help_request.name",
    "help_request.phone",
    "help_request.email",
    "help_request.description",
    # both of them lower-cased for the search, computed by the database and cleared with them
    "help_request.search_text",
    # the status page's secret code (as a hash): once removed, the page opens no more
    "help_request.status_secret_hash",
    # the secret code on its way to the parent, in the browser session that sent the request
    "public_session.secret_code",
    # the parent's own address, when an e-mail went to them
    "outbox_message.recipient",
    "call.notes",
    "call.coping_note",
    "call.finances_note",
    "call.daily_life_note",
    "home_visit.address",
    "home_visit.status_note",
    "referral.note",
    "timeline_event.note",
}


def columns() -> list[Column]:
    return [column for table in db.metadata.sorted_tables for column in table.columns]


def test_every_column_is_marked_personal_or_kept() -> None:
    unmarked = [
        f"{column.table.name}.{column.name}"
        for column in columns()
        if column.info.get("personal") not in (True, False)
    ]
    assert unmarked == []


def test_the_personal_columns_are_the_family_data_retention_removes() -> None:
    marked = {f"{c.table.name}.{c.name}" for c in columns() if c.info.get("personal")}
    assert marked == PERSONAL


def test_every_personal_column_can_be_cleared() -> None:
    """Emptied when NOT NULL (so it must hold text), else set to NULL."""
    for column in columns():
        if column.info.get("personal") and not column.nullable:
            assert isinstance(column.type, String | Text), column


def test_retention_clears_the_personal_columns_of_the_request_and_its_parts() -> None:
    request_table = db.metadata.tables["help_request"]
    assert retention.cleared_values(request_table) == {
        "name": "",
        "phone": "",
        "email": "",
        "description": "",
        "status_secret_hash": None,
    }
    parts = {table.name: values for table, values in retention.cleared_parts()}
    assert parts == {
        "call": {"notes": "", "coping_note": "", "finances_note": "", "daily_life_note": ""},
        "home_visit": {"address": "", "status_note": ""},
        "referral": {"note": ""},
        "timeline_event": {"note": ""},
        "outbox_message": {"recipient": ""},
        "public_session": {"secret_code": None},
    }


def test_a_nullable_personal_column_is_set_to_null() -> None:
    table = Table(
        "example",
        MetaData(),
        Column("id", Integer, primary_key=True, info={"personal": False}),
        Column("words", Text, nullable=False, info={"personal": True}),
        Column("nickname", String(40), nullable=True, info={"personal": True}),
    )
    assert retention.cleared_values(table) == {"words": "", "nickname": None}


def test_personal_data_outside_a_request_is_refused(monkeypatch) -> None:
    column = db.metadata.tables["staff_user"].c.name
    monkeypatch.setitem(column.info, "personal", True)
    with pytest.raises(ValueError, match="staff_user"):
        retention.cleared_parts()
