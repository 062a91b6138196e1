"""The inbox page, its htmx results, and the poll for new requests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts import auth
from pyydaapua.accounts.auth import (
    client_address,
    permission_required,
)
from pyydaapua.accounts.permissions import Permission
from pyydaapua.database import db
from pyydaapua.inbox import calls_today, queries, rows
from pyydaapua.rules import inbox_panels
from pyydaapua.rules.workdays import helsinki_date
from pyydaapua.web import htmx
from pyydaapua.web.forms import number_text
from pyydaapua.web.params import ID_MAX, int_arg
from pyydaapua.web.transactions import commit_keeping_loaded

# The inbox views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("inbox", __name__, url_prefix="/staff")

SEARCH_MESSAGES = {
    "control": _l(
        "The search text had invisible control characters. We took them out: check the text "
        "and search again."
    ),
    "unreadable": _l(
        "Some characters of the search text could not be read; they are shown as \ufffd. "
        "Correct them and search again."
    ),
    "too_long": _l("Write at most %(max)s characters.", max=number_text(queries.SEARCH_MAX)),
}


# The number beside the inbox link: open requests that nobody owns yet.
auth.menu_count("unassigned_open", queries.unassigned_open_column)


@bp.get("/", endpoint="inbox")
@permission_required(Permission.WORK_REQUESTS)
def inbox_page() -> str | tuple[str, int]:
    """The team inbox: filters and search from the URL; only the results for htmx. Every
    request shown (a row, an upcoming visit, a search result) is audited, in one INSERT.
    Unknown filter values (a page that is not a page number too) fall back to the defaults. A
    search text that cannot be used is not searched for: the list shows the other filters,
    and the message is next to the search field (422)."""
    filters = queries.Filters.from_args(request.args)
    now = datetime.now(UTC)
    today = helsinki_date(now)
    counts = queries.counts(filters, current_user.id, today)
    page = queries.requests_page(
        filters, current_user.id, today, counts.total, capped=counts.total_capped
    )
    context: dict[str, Any] = {
        "filters": filters,
        "counts": counts,
        "page": page,
        "now": now,
        "rows": rows.inbox_rows(page, filters, today, queries.asked_again(page.items)),
        "presets": queries.PRESETS,
        "newest_id": counts.newest_id,
        "search_error": SEARCH_MESSAGES.get(filters.q_problem),
        "elsewhere": _found_elsewhere(filters, counts.total, today),
        "open_panels": inbox_panels.open_panels(current_user.inbox_panels),
    }
    full_page = not htmx.is_htmx()
    context["visits"] = queries.upcoming_visits(current_user.id, now) if full_page else []
    context["visits_today"] = {
        visit.id for visit in context["visits"] if helsinki_date(visit.starts_at) == today
    }
    audit.record_reads(
        queries.shown(filters, page.items, context["visits"]),
        user_id=current_user.id,
        client_address=client_address(),
    )
    commit_keeping_loaded()
    if full_page:
        html = render_template("inbox/inbox.html", **context)
    else:
        # The views' links and the count's live region follow every answer; the filter form
        # too when a view's link (id "view-…") asked, else only the search field's error.
        html = render_template(
            "inbox/_inbox_results.html",
            oob_search_error=True,
            oob_views=True,
            oob_form=request.headers.get("HX-Trigger", "").startswith("view-"),
            **context,
        )
    return html, 422 if filters.q_problem else 200


def _found_elsewhere(filters: queries.Filters, shown: int, today: date) -> dict[str, Any] | None:
    """A search that finds nothing in this view, but finds requests among all of them: how many
    (past the count's cap: "more than"), and the address of that search (one more count, only
    then)."""
    everywhere = queries.Filters(q=filters.q, status="all", exact=filters.exact)
    if not filters.q or filters.q_problem or shown or filters == everywhere:
        return None
    found = queries.counts(everywhere, current_user.id, today)
    if not found.total:
        return None
    return {"total": found.total, "capped": found.total_capped, "args": everywhere.to_args()}


@bp.get("/inbox/next/<int:request_id>")
@permission_required(Permission.WORK_REQUESTS)
def next_request(request_id: int) -> Response:
    """ "Next request" on a request page: the one after it in the inbox view the counsellor came
    from (its filters are in the address), or back to that view at its end."""
    filters = queries.Filters.from_args(request.args)
    today = helsinki_date(datetime.now(UTC))
    found = queries.next_in_view(filters, current_user.id, today, request_id)
    args: dict[str, Any] = filters.to_args()
    if found is None:
        return redirect(url_for("inbox.inbox", **args), 303)
    return redirect(url_for("casework.request_page", request_id=found, **args), 303)


@bp.get("/inbox/new")
@permission_required(Permission.WORK_REQUESTS)
def inbox_new() -> str:
    """Polled by the inbox: how many requests have arrived since the list was drawn; 400 when
    ``since`` is not a request id."""
    since = int_arg("since", 0, maximum=ID_MAX)
    args: dict[str, Any] = queries.Filters.from_args(request.args).to_args(page=1)
    back = url_for("inbox.inbox", **args)
    return render_template("inbox/_inbox_new.html", arrived=queries.arrived_since(since), back=back)


@bp.post("/inbox/panels")
@permission_required(Permission.WORK_REQUESTS)
def save_panel() -> Response | tuple[str, int]:
    """Remember that this user opened or folded one of the inbox's panels (``panel``: a name
    of ``inbox_panels.PANELS``, else 400; ``open``: "1" or not). Posted by app.js when a panel
    is toggled: 204 to it, a plain form is sent back to the inbox. Not audited: it changes only
    how this user's own inbox page is laid out, and shows no request."""
    name = request.form.get("panel", "")
    if name not in inbox_panels.PANELS:
        abort(400)
    is_open = request.form.get("open") == "1"
    current_user.inbox_panels = inbox_panels.with_panel(current_user.inbox_panels, name, is_open)
    db.session.commit()
    if htmx.is_htmx():
        return "", 204
    return redirect(url_for("inbox.inbox"), 303)


@bp.get("/calls/today")
@permission_required(Permission.WORK_REQUESTS)
def calls_today_page() -> str:
    """My calls today: the signed-in counsellor's planned calls by their time, then the open
    requests due today that nobody has reached (theirs or without an owner). Every request
    shown is audited, in one INSERT. For htmx only the list."""
    found = calls_today.calls_today(current_user.id, calls_today.now())
    audit.record_reads(
        calls_today.shown(found), user_id=current_user.id, client_address=client_address()
    )
    commit_keeping_loaded()
    template = "inbox/_calls_today_list.html" if htmx.is_htmx() else "inbox/calls_today.html"
    return render_template(template, found=found, cap=calls_today.CAP)
