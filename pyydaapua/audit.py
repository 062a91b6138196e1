"""Audit events: who read or changed what, when and from where. No family content."""

from __future__ import annotations

from datetime import UTC, datetime

from .extensions import db
from .models import AuditEvent


def record(
    action: str,
    *,
    user_id: int | None,
    client_address: str,
    request_id: int | None = None,
    target: str = "",
    commit: bool = True,
) -> AuditEvent:
    """Write one audit event (``target`` names a route or an account, never family content)."""
    event = AuditEvent(
        at=datetime.now(UTC),
        action=action,
        user_id=user_id,
        request_id=request_id,
        client_address=client_address[:64],
        target=target[:200],
    )
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
