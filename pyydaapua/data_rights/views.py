"""The family's data rights, for supervisors only: the audit log, who has handled a request
(page and CSV), and everything stored about one request (page and JSON). Every view is itself
audited. The admin role never reaches them: it must not see request content."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import cast

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.permissions import Permission
from pyydaapua.data_rights import audit_trail, export
from pyydaapua.data_rights.forms import AuditLogForm, LogReviewForm, ReferenceForm
from pyydaapua.database import db
from pyydaapua.rules.access_basis import DATA_RIGHTS
from pyydaapua.rules.references import format_reference
from pyydaapua.web.csv_export import content_disposition, csv_response, file_name
from pyydaapua.web.days import helsinki_today
from pyydaapua.web.i18n import datetime_text
from pyydaapua.web.labels import ACCESS_BASIS_LABELS, ROLE_LABELS
from pyydaapua.web.params import parse_int
from pyydaapua.web.transactions import commit_keeping_loaded

# The data rights views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("data_rights", __name__, url_prefix="/staff")
bp.add_app_template_global(audit_trail.audit_label)

# The time format of the CSV: what Excel in a Finnish locale reads as a date and time.
CSV_TIME = "d.M.yyyy H.mm"


def _page_number() -> int:
    """The page asked for; anything but a page number is the first page, as in the inbox."""
    return parse_int(request.args.get("page"), 1) or 1


def _audit_form() -> AuditLogForm:
    form = AuditLogForm(formdata=request.args)
    form.user.choices = [
        SelectChoice("", _("Everyone")),
        *(SelectChoice(str(user.id), user.name) for user in audit_trail.staff_members()),
    ]
    form.action.choices = [
        SelectChoice("", _("All actions")),
        *(
            SelectChoice(code, audit_trail.audit_label(code))
            for code in audit_trail.action_codes(audit_trail.AUDIT_LABELS)
        ),
    ]
    return form


@bp.get("/audit", endpoint="audit_log")
@permission_required(Permission.SEE_HANDLERS)
def audit_log() -> tuple[str, int]:
    """Every audit event, newest first, filtered by staff member, request, action and period.
    A filter with an error is left out, and the form shows the error (422)."""
    form = _audit_form()
    valid = form.validate()
    errors = form.errors
    filters = audit_trail.AuditFilters(
        user_id=int(form.user.data) if form.user.data and "user" not in errors else None,
        reference=form.reference.code if "reference" not in errors else None,
        action=(form.action.data or "") if "action" not in errors else "",
        date_from=form.date_from.day if "date_from" not in errors else None,
        date_to=form.date_to.day if "date_to" not in errors else None,
        page=_page_number(),
    )
    audit.record(
        "audit_log_viewed",
        user_id=current_user.id,
        client_address=client_address(),
        target=filters.describe(),
        commit=False,
    )
    page = audit_trail.audit_page(filters)
    commit_keeping_loaded()
    html = render_template("data_rights/audit_log.html", form=form, filters=filters, page=page)
    return html, 200 if valid else 422


# The log review's default period: the last full calendar month before today.
def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@bp.get("/audit/review", endpoint="log_review")
@permission_required(Permission.SEE_HANDLERS)
def log_review() -> tuple[str, int]:
    """The regular review of the access log: per staff member and period, the requests they
    looked up on team duty (the page, or a search) without owning them or recording anything
    on them. The default period is last month; audited."""
    form = LogReviewForm(formdata=request.args)
    form.user.choices = [
        SelectChoice("", _("Everyone")),
        *(SelectChoice(str(user.id), user.name) for user in audit_trail.staff_members()),
    ]
    valid = form.validate()
    errors = form.errors
    default_start, default_end = _last_month(helsinki_today())
    start = form.date_from.day if form.date_from.day and "date_from" not in errors else None
    end = form.date_to.day if form.date_to.day and "date_to" not in errors else None
    start, end = start or default_start, end or default_end
    user_id = int(form.user.data) if form.user.data and "user" not in errors else None
    audit.record(
        "log_review_viewed",
        user_id=current_user.id,
        client_address=client_address(),
        target=" ".join(
            part for part in (f"user={user_id}" if user_id else "", f"{start}..{end}") if part
        ),
        commit=False,
    )
    context = {
        "form": form,
        "start": start,
        "end": end,
        "summary": audit_trail.review_summary(start, end),
        "chosen": user_id,
        "requests": audit_trail.review_requests(user_id, start, end, _page_number())
        if user_id
        else None,
    }
    commit_keeping_loaded()
    return render_template("data_rights/log_review.html", **context), 200 if valid else 422


def _role_label(role: str | None) -> str:
    return str(ROLE_LABELS[role]) if role in ROLE_LABELS else ""


@bp.get("/access-log", endpoint="access_log")
@permission_required(Permission.SEE_HANDLERS)
def access_log() -> tuple[str, int]:
    """Who has handled a request: every read and change by staff, oldest first, printable.
    An unknown reference gets a clear message on the page (200)."""
    form = ReferenceForm(formdata=request.args)
    context: dict[str, object] = {"form": form, "req": None, "events": [], "searched": False}
    if "reference" not in request.args:
        return render_template("data_rights/access_log.html", **context), 200
    if not form.validate():
        return render_template("data_rights/access_log.html", **context), 422
    context["searched"] = True
    help_request = audit_trail.request_by_reference(cast(str, form.reference.code))  # validated
    audit.record(
        "access_log_viewed",
        user_id=current_user.id,
        request_id=help_request.id if help_request else None,
        client_address=client_address(),
        target="" if help_request else "not_found",
        commit=False,
    )
    if help_request is not None:
        context["req"] = help_request
        context["events"] = audit_trail.access_events(help_request.id)
        context["disclosures"] = audit_trail.disclosure_log(help_request.id)
        context["now"] = datetime.now(UTC)
    html = render_template("data_rights/access_log.html", **context)
    db.session.commit()
    return html, 200


@bp.get("/access-log.csv", endpoint="access_log_csv")
@permission_required(Permission.SEE_HANDLERS)
def access_log_csv() -> Response:
    """The same list as a CSV file for Excel, in the staff member's language. 404 when the
    reference is missing, malformed or unknown."""
    form = ReferenceForm(formdata=request.args)
    if not form.validate():
        abort(404)
    help_request = audit_trail.request_by_reference(cast(str, form.reference.code))  # validated
    if help_request is None:
        abort(404)
    audit.record(
        "access_log_viewed",
        user_id=current_user.id,
        request_id=help_request.id,
        client_address=client_address(),
        target="csv",
        commit=False,
    )
    rows = [
        (
            datetime_text(row.event.at, CSV_TIME),
            row.user_name or "",
            _role_label(row.user_role),
            audit_trail.audit_label(row.event.action),
            str(ACCESS_BASIS_LABELS.get(row.event.basis or "", "")),
        )
        for row in audit_trail.access_events(help_request.id)
    ]
    headers = [_("Time"), _("Staff member"), _("Role"), _("Action"), _("Basis")]
    db.session.commit()
    reference = format_reference(help_request.reference)
    return csv_response(file_name(_("Who has handled"), reference) + ".csv", headers, rows)


def _record(request_id: int, target: str) -> export.RequestExport:
    record = export.request_export(request_id)
    if record is None:
        abort(404)
    audit.record(
        "request_exported",
        user_id=current_user.id,
        request_id=request_id,
        client_address=client_address(),
        purpose=DATA_RIGHTS,
        target=target,
        commit=False,
    )
    return record


@bp.get("/requests/<int:request_id>/export", endpoint="export_page")
@permission_required(Permission.SEE_HANDLERS)
def export_page(request_id: int) -> str:
    """Everything stored about one request, as a printable page in the staff member's
    language: what the parent sent, the history, calls, home visits, referrals, the access
    log."""
    record = _record(request_id, "page")
    html = render_template(
        "data_rights/export.html", record=record, req=record.request, now=datetime.now(UTC)
    )
    db.session.commit()
    return html


@bp.get("/requests/<int:request_id>/export.json", endpoint="export_json")
@permission_required(Permission.SEE_HANDLERS)
def export_json(request_id: int) -> Response:
    """The same as a JSON file: stable English keys, stored codes, ISO 8601 times."""
    record = _record(request_id, "json")
    data = export.export_data(record, datetime.now(UTC))
    db.session.commit()
    filename = f"request-{format_reference(record.request.reference)}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2) + "\n",
        mimetype="application/json",
        headers={"Content-Disposition": content_disposition(filename)},
    )
