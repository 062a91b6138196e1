"""Undelivered e-mail, for supervisors: the list of failed and uncertain messages and "send
again". Both are audited; the number beside the menu link is read with the session."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import auth
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.permissions import Permission
from pyydaapua.database import db
from pyydaapua.notices import outbox, problems
from pyydaapua.web.transactions import commit_keeping_loaded

# The notices views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("notices", __name__, url_prefix="/staff")

# What each kind of message is, as the list names it (never its subject or text).
KIND_LABELS = {
    outbox.REQUEST_TO_TEAM: _l("New request, to the team"),
    outbox.REQUEST_CONFIRMATION: _l("Confirmation of a request, to the family"),
    outbox.FAMILY_WROTE: _l("The family wrote, to staff"),
    outbox.COUNSELLOR_WROTE: _l("A message waits on the status page, to the family"),
    outbox.REMINDER_DUE: _l("Reminder: the call-back is due today"),
    outbox.REMINDER_OVERDUE: _l("Reminder: the call-back is overdue"),
    outbox.DAILY_SUMMARY: _l("The day's summary, to the team"),
    outbox.REMINDER_CALLS: _l("Reminder: the day's planned calls, to a counsellor"),
}
STATUS_LABELS = {
    "failed": _l("Not delivered"),
    "uncertain": _l("Uncertain"),
}


# The number beside the menu link: messages not delivered, or whose delivery is uncertain.
auth.menu_count("undelivered_mail", problems.count_column)


@bp.get("/mail", endpoint="mail_problems")
@permission_required(Permission.UNDELIVERED_MAIL)
def mail_problems() -> str:
    """The messages that were not delivered or whose delivery is uncertain, newest first, each
    with a "Send again" button. Audited (``mail_problems_viewed``)."""
    audit.record(
        "mail_problems_viewed",
        user_id=current_user.id,
        client_address=client_address(),
        commit=False,
    )
    messages = problems.undelivered()
    total = auth.menu_counts()["undelivered_mail"]
    commit_keeping_loaded()
    return render_template(
        "notices/mail_problems.html",
        messages=messages,
        total=total,
        list_max=problems.LIST_MAX,
        kind_labels=KIND_LABELS,
        mail_status_labels=STATUS_LABELS,
    )


@bp.post("/mail/<int:message_id>/send-again", endpoint="mail_send_again")
@permission_required(Permission.UNDELIVERED_MAIL)
def mail_send_again(message_id: int) -> Response:
    """Put a failed or uncertain message back in the queue (audited: ``mail_sent_again``, who
    and when, with the message as target), then back to the list (303). A 404 for a message
    that does not exist; a message that is no longer waiting, or that has no address left, is
    not changed and the list says so."""
    result = problems.send_again(message_id)
    if result is None:
        abort(404)
    if result.outcome == "queued":
        audit.record(
            "mail_sent_again",
            user_id=current_user.id,
            client_address=client_address(),
            request_id=result.request_id,
            target=f"outbox:{message_id}",
        )
        flash(_("The message is back in the queue and will be sent again shortly."))
    elif result.outcome == "no_recipient":
        db.session.rollback()
        flash(_("This message cannot be sent: its address was removed with the family's data."))
    else:
        db.session.rollback()
        flash(_("This message is no longer waiting: it has already been sent again."))
    return redirect(url_for("notices.mail_problems"), code=303)
