"""The inbox's rows as plain values: every text, label and link of a row made in Python, once
per row, with the page language's words and formatters made once per language and process.
The template writes each value out as it is (``_inbox_results.html``), without a macro or a
filter per cell: a page of 50 rows had some 700 macro calls and 200 translation look-ups."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple, cast

from flask import url_for

from pyydaapua.inbox.queries import Filters, Listed, ListPage, Other
from pyydaapua.rules.deadlines import Deadline
from pyydaapua.rules.phones import readable_phone, tel_uri
from pyydaapua.rules.references import format_reference
from pyydaapua.web import i18n
from pyydaapua.web.labels import template_labels


class InboxRow(NamedTuple):
    """What one row shows, ready to be written out (the template escapes every value). A
    tuple: a frozen dataclass of 26 fields took 4.5 µs to make, a tuple 1.2 µs."""

    href: str
    reference: str
    asked_again: bool
    submitted_iso: str
    submitted: str
    due_iso: str
    due: str
    badge_state: str  # "" when the request shows no due badge (closed, or reached)
    badge: str
    reached: bool  # the family was reached: on time or late
    reached_on_time: bool
    written: bool  # answered in writing: no phone number, no call time
    phone_href: str
    phone: str
    text_messages: str
    name: str
    excerpt: str
    language: str
    family_message: bool
    same_number: str
    topics: str
    call_time: str
    call_language: str
    status: str
    attempts: str
    owner: str


@dataclass(frozen=True)
class _Words:
    """The words of a row in one language, translated once."""

    due_today: str
    sms_ok: str
    no_sms: str
    no_topic: str
    unassigned: str
    labels: dict[str, dict[str, str]]


@lru_cache(maxsize=8)
def _words(language: str) -> _Words:
    """Called while ``language`` is the page's language, and kept."""
    gettext = i18n.page_translations().ugettext
    labels = cast(dict[str, dict[str, str]], template_labels())
    return _Words(
        due_today=gettext("Due today"),
        sms_ok=gettext("Text message allowed"),
        no_sms=gettext("No text messages"),
        no_topic=gettext("No topic chosen"),
        unassigned=labels["owner_labels"]["unassigned"],
        labels={
            name: labels[name]
            for name in ("topic_labels", "call_time_labels", "status_labels", "language_names")
        },
    )


# A request id no request has: the page's link is made once with it, then each row's id is
# put in its place (url_for for each of 50 rows would cost more than the rest of the row).
_ID_MARK = 918273645


def inbox_rows(
    page: ListPage,
    filters: Filters,
    today: date,
    asked_again: dict[int, list[Other]],
) -> list[InboxRow]:
    """The rows of ``page`` in the page's language."""
    language = i18n.page_language()
    words = _words(language)
    ngettext = i18n.page_translations().ungettext
    moment = i18n.moment_formatter(language, "short")
    day = i18n.day_formatter(language)
    topics, call_times = words.labels["topic_labels"], words.labels["call_time_labels"]
    statuses, languages = words.labels["status_labels"], words.labels["language_names"]
    args: dict[str, Any] = filters.to_args(page=page.number)
    link = url_for("casework.request_page", request_id=_ID_MARK, **args)
    mark = str(_ID_MARK)
    rows = []
    for item in page.items:
        deadline = Deadline.of(item.due_date, today)
        others = len(asked_again.get(item.id, ()))
        badge_state, badge = _badge(item, deadline, words, ngettext)
        written = item.contact_method == "status_page"
        rows.append(
            InboxRow(
                href=link.replace(mark, str(item.id), 1),
                reference=format_reference(item.reference),
                asked_again=bool(others),
                submitted_iso=i18n.machine_time(item.submitted_at),
                submitted=moment(item.submitted_at),
                due_iso=item.due_date.isoformat(),
                due=day(item.due_date),
                badge_state=badge_state,
                badge=badge,
                reached=item.first_contact_at is not None,
                reached_on_time=bool(item.first_contact_on_time),
                written=written,
                phone_href=_tel(item.phone) if item.phone and not written else "",
                phone=readable_phone(item.phone) if item.phone and not written else "",
                text_messages=words.sms_ok if item.sms_ok else words.no_sms,
                name=item.name or "",
                excerpt=page.excerpts.get(item.id, ""),
                language=item.language,
                family_message=item.family_message_at is not None,
                same_number=(
                    ngettext("Same number: %(num)s more", "Same number: %(num)s more", others)
                    % {"num": others}
                    if others
                    else ""
                ),
                topics=", ".join(topics[code] for code in item.topic_codes) or words.no_topic,
                call_time=call_times[item.call_time],
                call_language=languages[item.call_language].capitalize(),
                status=statuses[item.status],
                attempts=(
                    ngettext("%(num)s call attempt", "%(num)s call attempts", item.call_attempts)
                    % {"num": item.call_attempts}
                    if item.call_attempts
                    else ""
                ),
                owner=item.owner_name or words.unassigned,
            )
        )
    return rows


def _badge(
    item: Listed, deadline: Deadline, words: _Words, ngettext: Callable[[str, str, int], str]
) -> tuple[str, str]:
    """The due badge's state and words (as ``macros/deadline.html`` shows them), or ("", "")."""
    if item.status == "closed" or item.first_contact_at:
        return "", ""
    if deadline.state == "due_today":
        return deadline.state, words.due_today
    days = deadline.working_days
    if deadline.state == "overdue":
        text = ngettext("%(num)s working day overdue", "%(num)s working days overdue", days)
    else:
        text = ngettext("%(num)s working day left", "%(num)s working days left", days)
    return deadline.state, text % {"num": days}


def _tel(phone: str) -> str:
    """The number's ``tel:`` link: stored numbers are E.164 already (the form normalised them)."""
    if phone.startswith("+") and phone[1:].isdigit():
        return f"tel:{phone}"
    return tel_uri(phone)
