"""The outbox: queueing e-mail in the transaction of the change that causes it.

Queueing only adds ``OutboxMessage`` rows to the session; the caller's commit stores them with
its change, and ``flask send-mail`` (sender.py) delivers them. Nothing here talks to a mail
server, so a request is never lost or slowed because mail fails.

Every text is rendered in the recipient's language through the catalogues, and holds only the
reference, dates and links: never the family's own words, name, phone number or e-mail address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import force_locale, gettext

from pyydaapua.database import db
from pyydaapua.models import HelpRequest, OutboxMessage, StaffUser
from pyydaapua.rules.codes import LANGUAGES
from pyydaapua.rules.references import format_reference
from pyydaapua.web.i18n import date_long, datetime_text

# The kinds of message (OutboxMessage.kind).
REQUEST_TO_TEAM = "request_to_team"
REQUEST_CONFIRMATION = "request_confirmation"
FAMILY_WROTE = "family_wrote"
COUNSELLOR_WROTE = "counsellor_wrote"
REMINDER_DUE = "reminder_due"
REMINDER_OVERDUE = "reminder_overdue"
DAILY_SUMMARY = "daily_summary"
REMINDER_CALLS = "reminder_calls"  # a counsellor's planned calls of the day


def language_or_default(language: str | None) -> str:
    """A language the catalogues have: the given one, else Finnish."""
    return language if language in LANGUAGES else LANGUAGES[0]


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render texts in ``language`` (whatever the current page's language is)."""
    with force_locale(language_or_default(language)):
        yield


def public_url(path: str) -> str:
    """An absolute link to ``path`` on the service (PUBLIC_URL: mail has no web request)."""
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def staff_request_link(request_id: int) -> str:
    """The staff's page of a request (casework/views.py's ``/staff/requests/<id>``)."""
    return public_url(f"/staff/requests/{request_id}")


def staff_inbox_link() -> str:
    return public_url("/staff/")


def status_page_link(language: str) -> str:
    """The parent's status page, in their language (opened with the reference and code)."""
    return public_url(f"/{language_or_default(language)}/status")


def team_address() -> str:
    return str(current_app.config.get("TEAM_EMAIL") or "").strip()


def team_language() -> str:
    return language_or_default(current_app.config.get("TEAM_LANGUAGE"))


def new_message(
    kind: str,
    recipient: str,
    language: str,
    subject: str,
    body: str,
    *,
    request_id: int | None = None,
    dedupe_key: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """An outbox row, pending and due at once. Not yet in the session: the caller adds it, and
    its own commit stores it with the change."""
    now = now or datetime.now(UTC)
    return OutboxMessage(
        created_at=now,
        kind=kind,
        request_id=request_id,
        recipient=recipient,
        language=language_or_default(language),
        subject=subject[:200],
        body=body,
        dedupe_key=dedupe_key,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        last_error="",
    )


def paragraphs(*parts: str) -> str:
    """A plain-text body: the parts as paragraphs, ending with a newline."""
    return "\n\n".join(part for part in parts if part) + "\n"


def automatic_footer() -> str:
    return gettext("This message was sent automatically. Please do not reply to it.")


def staff_footer() -> str:
    return gettext("This message holds no details of the family: sign in to read the request.")


# The texts. Each is called inside in_language(…); each takes only what it may show.


def team_new_request_text(help_request: HelpRequest) -> tuple[str, str]:
    reference = format_reference(help_request.reference)
    if help_request.contact_method == "status_page":
        due = gettext(
            "Answer on the status page by: %(date)s", date=date_long(help_request.due_date)
        )
    else:
        due = gettext("Call back by: %(date)s", date=date_long(help_request.due_date))
    subject = gettext("New help request: %(reference)s", reference=reference)
    body = paragraphs(
        gettext("A new help request has arrived."),
        gettext("Reference: %(reference)s", reference=reference) + "\n" + due,
        gettext("Open the request: %(link)s", link=staff_request_link(help_request.id)),
        staff_footer(),
    )
    return subject, body


def confirmation_text(help_request: HelpRequest) -> tuple[str, str]:
    reference = format_reference(help_request.reference)
    due = date_long(help_request.due_date)
    if help_request.contact_method == "status_page":
        next_steps = paragraphs(
            gettext(
                "A counsellor will answer you on the status page within three working days, "
                "at the latest on: %(date)s",
                date=due,
            ),
            gettext(
                "Open the status page with your reference and the secret code you got when you "
                "sent the request: %(link)s",
                link=status_page_link(help_request.language),
            ),
        ).strip()
    else:
        next_steps = gettext(
            "We will call you within three working days, at the latest on: %(date)s", date=due
        )
    subject = gettext("Your request has been received: %(reference)s", reference=reference)
    body = paragraphs(
        gettext("Thank you for your request to the family centre."),
        gettext("The reference of your request: %(reference)s", reference=reference),
        next_steps,
        gettext("If you did not send a request, you can ignore this message."),
        automatic_footer(),
    )
    return subject, body


def family_wrote_text(help_request: HelpRequest) -> tuple[str, str]:
    reference = format_reference(help_request.reference)
    subject = gettext("New message from the family: %(reference)s", reference=reference)
    body = paragraphs(
        gettext(
            "There is a new message from the family on request %(reference)s.", reference=reference
        ),
        gettext("Open the request: %(link)s", link=staff_request_link(help_request.id)),
        staff_footer(),
    )
    return subject, body


def counsellor_wrote_text(help_request: HelpRequest) -> tuple[str, str]:
    subject = gettext("A new message for you")
    body = paragraphs(
        gettext(
            "There is a new message for you on the status page: %(link)s",
            link=status_page_link(help_request.language),
        ),
        gettext("Open it with your reference and your secret code."),
        automatic_footer(),
    )
    return subject, body


def reminder_text(
    kind: str, request_id: int, reference: str, due_date: date, to_team: bool
) -> tuple[str, str]:
    """A due-today (``due``) or overdue (``overdue``) reminder of a request nobody reached."""
    shown = format_reference(reference)
    if kind == "due":
        subject = gettext("Due today: %(reference)s", reference=shown)
        first = gettext(
            "Nobody has reached the family of request %(reference)s yet, and its due date is "
            "today, %(date)s.",
            reference=shown,
            date=date_long(due_date),
        )
    else:
        subject = gettext("Overdue: %(reference)s", reference=shown)
        first = gettext(
            "Nobody has reached the family of request %(reference)s yet, and its due date, "
            "%(date)s, has passed.",
            reference=shown,
            date=date_long(due_date),
        )
    body = paragraphs(
        first,
        gettext("Nobody has taken it yet.") if to_team else "",
        gettext("Open the request: %(link)s", link=staff_request_link(request_id)),
        staff_footer(),
    )
    return subject, body


def planned_calls_text(
    today: date, calls: list[tuple[datetime, str, int, bool]]
) -> tuple[str, str]:
    """A counsellor's planned calls of the day: for each its time, the request's reference,
    agreed or proposed, and the link; never the family's name, number or words."""
    lines = []
    for at, reference, request_id, agreed in calls:
        how = gettext("agreed with the family") if agreed else gettext("proposed by us")
        lines.append(
            f"{datetime_text(at, 'short')} {format_reference(reference)} ({how}): "
            f"{staff_request_link(request_id)}"
        )
    subject = gettext("Your planned calls today: %(count)s", count=len(calls))
    body = paragraphs(
        gettext("You have planned these calls for today, %(date)s:", date=date_long(today)),
        "\n".join(lines),
        gettext("All your calls of the day are on the page My calls today."),
        staff_footer(),
    )
    return subject, body


def summary_text(today: date, due: list[str], overdue: list[str]) -> tuple[str, str]:
    """The team's summary of a day: counts and references only."""

    def listed(references: list[str]) -> str:
        return ", ".join(format_reference(reference) for reference in references)

    due_part = (
        gettext("Due today: %(count)s", count=len(due)) + "\n" + listed(due)
        if due
        else gettext("Due today: none")
    )
    overdue_part = (
        gettext("Overdue: %(count)s", count=len(overdue)) + "\n" + listed(overdue)
        if overdue
        else gettext("Overdue: none")
    )
    subject = gettext("Requests not yet reached: %(date)s", date=date_long(today))
    body = paragraphs(
        gettext("Open requests whose family nobody has reached yet:"),
        due_part,
        overdue_part,
        gettext("Open the inbox: %(link)s", link=staff_inbox_link()),
        staff_footer(),
    )
    return subject, body


def _owner_or_team(help_request: HelpRequest) -> tuple[str, str] | None:
    """Where a notice about the request goes: its owner (active, with an address) in their
    language, else the team; None when neither has an address."""
    owner: StaffUser | None = help_request.assigned_to
    if owner is not None and owner.active and owner.email:
        return owner.email, owner.language
    if team_address():
        return team_address(), team_language()
    return None


def _queue(
    help_request: HelpRequest,
    kind: str,
    recipient: str,
    language: str,
    text: Callable[[HelpRequest], tuple[str, str]],
) -> None:
    """Add the message ``text`` writes about ``help_request``, in ``language``, to the session."""
    with in_language(language):
        subject, body = text(help_request)
    db.session.add(
        new_message(kind, recipient, language, subject, body, request_id=help_request.id)
    )


# The three calls the changes make, before they commit.


def request_sent(help_request: HelpRequest) -> None:
    """Queue the notices of a new request (the request has an id: it was flushed)."""
    if team_address():
        _queue(
            help_request, REQUEST_TO_TEAM, team_address(), team_language(), team_new_request_text
        )
    if help_request.email:
        _queue(
            help_request,
            REQUEST_CONFIRMATION,
            help_request.email,
            help_request.language,
            confirmation_text,
        )


def family_wrote(help_request: HelpRequest) -> None:
    """Queue the notice of a message from the family."""
    target = _owner_or_team(help_request)
    if target is not None:
        _queue(help_request, FAMILY_WROTE, *target, family_wrote_text)


def counsellor_wrote(help_request: HelpRequest) -> None:
    """Queue the parent's notice of a message from a counsellor."""
    if help_request.email:
        _queue(
            help_request,
            COUNSELLOR_WROTE,
            help_request.email,
            help_request.language,
            counsellor_wrote_text,
        )
