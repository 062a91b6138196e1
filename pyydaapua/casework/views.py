"""The request page and its actions. Each action works as a plain POST followed by a redirect,
and inline with htmx: the form comes back (fresh, or with its errors) and the header, timeline
and lists are swapped out of band, with the result announced in the live region."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address, roles_required
from pyydaapua.casework import domain as casework
from pyydaapua.casework.forms import (
    AssignForm,
    CallForm,
    NoteForm,
    ReferralForm,
    ReferralStatusForm,
    StatusForm,
    VisitForm,
    VisitStatusForm,
)
from pyydaapua.inbox import queries as inbox
from pyydaapua.models import REQUEST_ROLES, AuditEvent, HelpRequest, HomeVisit, Service, StaffUser
from pyydaapua.rules import status_flow as workflow
from pyydaapua.rules import text as text_rules
from pyydaapua.rules.workdays import HELSINKI
from pyydaapua.web import htmx
from pyydaapua.web.extensions import db
from pyydaapua.web.labels import PROVIDER_TYPE_LABELS
from pyydaapua.web.staff_area import bp

# name: (form class, template of the part the form lives in, message on success)
ACTIONS: dict[str, tuple[type[FlaskForm], str, Any]] = {
    "assign": (AssignForm, "casework/_request_header.html", _l("The owner was changed.")),
    "call": (CallForm, "casework/_form_call.html", _l("The call was recorded.")),
    "note": (NoteForm, "casework/_form_note.html", _l("The note was added.")),
    "status": (StatusForm, "casework/_form_status.html", _l("The status was changed.")),
    "visit": (VisitForm, "casework/_form_visit.html", _l("The home visit was saved.")),
    "visit_edit": (VisitForm, "casework/_visits.html", _l("The home visit was changed.")),
    "visit_status": (VisitStatusForm, "casework/_visits.html", _l("The home visit was updated.")),
    "referral": (ReferralForm, "casework/_form_referral.html", _l("The referral was saved.")),
    "referral_status": (
        ReferralStatusForm,
        "casework/_referrals.html",
        _l("The referral was updated."),
    ),
}
WORKFLOW_MESSAGES = {
    "transition_not_allowed": _l(
        "The request cannot be moved to that status from its current one."
    ),
    "outcome_required": _l("Choose the outcome to close the request."),
    "visit_not_planned": _l("Only a planned visit can be marked done or cancelled."),
    "service_inactive": _l("That service is no longer in use. Choose another service."),
    "call_before_request": _l(
        "The time of the call cannot be before the request was sent. Check the date and time."
    ),
    "call_in_future": _l("The time of the call cannot be in the future."),
    "visit_before_request": _l(
        "The visit cannot start before the request was sent. Check the date and time."
    ),
    "visit_not_started": _l(
        "A visit can be marked done only once it has started. Change its time if it took "
        "place earlier."
    ),
}


def make_form(name: str, **kwargs: Any) -> FlaskForm:
    """The form of action ``name``; the prefix keeps field ids unique on the page."""
    return ACTIONS[name][0](prefix=name, **kwargs)


def _staff_choices() -> list[SelectChoice]:
    if "staff_choices" not in g:
        g.staff_choices = [SelectChoice(u.id, u.name) for u in casework.active_staff(REQUEST_ROLES)]
    return g.staff_choices


def _service_choices(services: list[Service]) -> list[SelectChoice]:
    language = current_user.language
    return [
        SelectChoice(s.id, f"{s.name(language)} ({PROVIDER_TYPE_LABELS[s.provider_type]})")
        for s in services
    ]


def prepare(
    name: str, form: FlaskForm, help_request: HelpRequest, submitted: bool = True
) -> FlaskForm:
    """Give a form its choices, and its version and defaults when it was not submitted."""
    if not submitted or form.version.data is None:
        form.version.data = help_request.version
    if name == "assign":
        form.assignee.choices = [SelectChoice("", _("Nobody")), *_staff_choices()]
        if not submitted:
            form.assignee.data = str(help_request.assigned_to_id or "")
    elif name in ("visit", "visit_edit"):
        form.staff.choices = _staff_choices()
        if not submitted and name == "visit":
            form.staff.data = [current_user.id]
    elif name == "referral":
        form.service.choices = _service_choices(
            casework.search_services("", current_user.language, limit=500)
        )
    elif name == "status" and not submitted:
        form.status.data = help_request.status
    return form


def fresh_forms(help_request: HelpRequest, **submitted: FlaskForm) -> dict[str, FlaskForm]:
    """One form per action, fresh unless given (a form the user is correcting)."""
    forms: dict[str, FlaskForm] = {}
    for name in ("assign", "call", "note", "status", "visit", "referral"):
        if name in submitted:
            forms[name] = prepare(name, submitted[name], help_request)
        else:
            forms[name] = prepare(name, make_form(name, formdata=None), help_request, False)
    return forms


def page_context(help_request: HelpRequest, **extra: Any) -> dict[str, Any]:
    """Everything the request page and its parts show, in a constant number of queries."""
    context: dict[str, Any] = {
        "req": help_request,
        "timeline": casework.timeline(help_request.id),
        "visits": casework.visits(help_request.id),
        "referrals": casework.referrals(help_request.id),
        "audit_events": _audit_events(help_request.id),
        "item_errors": {},
        "notice": None,
    }
    context.update(extra)
    if "forms" not in context:
        context["forms"] = fresh_forms(help_request)
    context["visit_forms"] = {
        visit.id: context["item_errors"].get(("visit_edit", visit.id)) or _visit_form(visit)
        for visit in context["visits"]
        if visit.status == "planned"
    }
    return context


def visit_form_prefix(visit_id: int) -> str:
    return f"visit{visit_id}"


def _visit_form(visit: HomeVisit) -> VisitForm:
    """The edit form of a planned visit, filled with what it is now."""
    form = VisitForm(
        formdata=None,
        prefix=visit_form_prefix(visit.id),
        starts_at=visit.starts_at.astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M"),
        duration_minutes=visit.duration_minutes,
        address=visit.address,
        staff=[user.id for user in visit.staff],
    )
    form.staff.choices = _staff_choices()
    return form


def _audit_events(request_id: int) -> list[tuple[AuditEvent, StaffUser | None]]:
    if current_user.role != "supervisor":
        return []
    rows = db.session.execute(
        select(AuditEvent, StaffUser)
        .outerjoin(StaffUser, StaffUser.id == AuditEvent.user_id)
        .where(AuditEvent.request_id == request_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(100)
    ).all()
    return [(event, user) for event, user in rows]


def _load(request_id: int) -> HelpRequest:
    help_request = casework.get_request(request_id)
    if help_request is None:
        abort(404)
    return help_request


@bp.get("/requests/<int:request_id>")
@roles_required(*REQUEST_ROLES)
def request_page(request_id: int) -> str:
    """Everything the parent sent, the timeline, and the actions. Every view is audited."""
    help_request = _load(request_id)
    audit.record(
        "request_viewed",
        user_id=current_user.id,
        request_id=help_request.id,
        client_address=client_address(),
        target="page",
        commit=False,
    )
    page = render_template("casework/request.html", **page_context(help_request))
    db.session.commit()  # after rendering, so that nothing is loaded twice
    return page


def stale_notice(fresh: HelpRequest) -> str:
    who = fresh.updated_by.name if fresh.updated_by else _("Someone")
    when = format_datetime(fresh.updated_at, "short") if fresh.updated_at else ""
    return _(
        "%(name)s changed this request at %(time)s. The page now shows the latest state and "
        "what you wrote is kept: check it and send again.",
        name=who,
        time=when,
    )


def run_action(
    name: str,
    help_request: HelpRequest,
    form: FlaskForm,
    apply: Callable[[FlaskForm], object],
    item_id: int | None = None,
) -> Response | tuple[str, int]:
    """Validate, apply, audit and answer: the shared path of every action."""
    prepare(name, form, help_request)
    status = 422
    notice = None
    if form.validate():
        try:
            apply(form)
        except casework.StaleVersion as stale:
            help_request, status, notice = stale.fresh, 409, stale_notice(stale.fresh)
            # The second try is based on the state now shown.
            form.version.data = help_request.version
            form.version.raw_data = [str(help_request.version)]
        except casework.NotFound:
            db.session.rollback()
            abort(404)
        except workflow.WorkflowError as error:
            db.session.rollback()
            message = str(WORKFLOW_MESSAGES[error.code])
            if error.field is not None and error.field in form:
                form[error.field].errors.append(message)
            else:
                form.form_errors.append(message)
        else:
            audit.record(
                "request_" + name,
                user_id=current_user.id,
                request_id=help_request.id,
                client_address=client_address(),
            )
            message = str(ACTIONS[name][2])
            if not htmx.is_htmx():
                flash(message)
                return redirect(url_for("staff.request_page", request_id=help_request.id), 303)
            context = page_context(help_request, announcement=message)
            return render_template("casework/_action_done.html", name=name, **context), 200
    extra: dict[str, Any]
    if item_id is not None:
        extra = {"item_errors": {(name, item_id): form}}
    else:
        extra = {"forms": fresh_forms(help_request, **{name: form})}
    # The refusal shows the request again (for 409, its fresh state): a read, audited.
    audit.record(
        "request_viewed_refused",
        user_id=current_user.id,
        request_id=help_request.id,
        client_address=client_address(),
        target=f"{name} {status}",
        commit=False,
    )
    context = page_context(help_request, notice=notice, **extra)
    if htmx.is_htmx():
        html = render_template(
            "casework/_action_refused.html", name=name, part=ACTIONS[name][1], **context
        )
    else:
        html = render_template("casework/request.html", **context)
    db.session.commit()  # after rendering, so that nothing is loaded twice
    return html, status


def _user(user_id: str | int | None) -> StaffUser | None:
    if user_id in (None, ""):
        return None
    user = db.session.get(StaffUser, int(user_id))
    if user is None or not user.active or user.role not in REQUEST_ROLES:
        abort(400)
    return user


@bp.post("/requests/<int:request_id>/take")
@roles_required(*REQUEST_ROLES)
def take(request_id: int) -> Response | tuple[str, int]:
    """Take the request: the signed-in counsellor becomes its owner."""
    help_request = _load(request_id)
    form = make_form("assign")
    form.assignee.data = str(current_user.id)
    return run_action(
        "assign",
        help_request,
        form,
        lambda f: casework.assign(help_request, current_user, f.version.data, current_user),
    )


@bp.post("/requests/<int:request_id>/assign")
@roles_required(*REQUEST_ROLES)
def assign(request_id: int) -> Response | tuple[str, int]:
    """Assign the request to a colleague, or unassign it (empty owner)."""
    help_request = _load(request_id)
    return run_action(
        "assign",
        help_request,
        make_form("assign"),
        lambda f: casework.assign(
            help_request, current_user, f.version.data, _user(f.assignee.data)
        ),
    )


@bp.post("/requests/<int:request_id>/calls")
@roles_required(*REQUEST_ROLES)
def record_call(request_id: int) -> Response | tuple[str, int]:
    """Record a call with the check-in; the first reached call stops the clock."""
    help_request = _load(request_id)
    return run_action(
        "call",
        help_request,
        make_form("call"),
        lambda f: casework.record_call(help_request, current_user, f.version.data, f.to_data()),
    )


@bp.post("/requests/<int:request_id>/notes")
@roles_required(*REQUEST_ROLES)
def add_note(request_id: int) -> Response | tuple[str, int]:
    """Add an internal note."""
    help_request = _load(request_id)
    return run_action(
        "note",
        help_request,
        make_form("note"),
        lambda f: casework.add_note(help_request, current_user, f.version.data, f.note.data),
    )


@bp.post("/requests/<int:request_id>/status")
@roles_required(*REQUEST_ROLES)
def change_status(request_id: int) -> Response | tuple[str, int]:
    """Change the status; closing needs an outcome, a closed request can be reopened."""
    help_request = _load(request_id)
    return run_action(
        "status",
        help_request,
        make_form("status"),
        lambda f: casework.change_status(
            help_request,
            current_user,
            f.version.data,
            f.status.data,
            f.outcome.data or None,
            f.note.data,
        ),
    )


def _visit_data(form: VisitForm) -> casework.VisitData:
    return casework.VisitData(
        starts_at=cast(datetime, form.starts_at.data_utc),  # the form was validated
        duration_minutes=form.duration_minutes.data,
        address=form.address.data,
        staff=[user for user_id in form.staff.data if (user := _user(user_id)) is not None],
    )


@bp.post("/requests/<int:request_id>/visits")
@roles_required(*REQUEST_ROLES)
def book_visit(request_id: int) -> Response | tuple[str, int]:
    """Book a home visit."""
    help_request = _load(request_id)
    return run_action(
        "visit",
        help_request,
        make_form("visit"),
        lambda f: casework.book_visit(help_request, current_user, f.version.data, _visit_data(f)),
    )


@bp.post("/requests/<int:request_id>/visits/<int:visit_id>")
@roles_required(*REQUEST_ROLES)
def edit_visit(request_id: int, visit_id: int) -> Response | tuple[str, int]:
    """Change the time, length, address or people of a planned home visit."""
    help_request = _load(request_id)
    return run_action(
        "visit_edit",
        help_request,
        VisitForm(prefix=visit_form_prefix(visit_id)),
        lambda f: casework.update_visit(
            help_request, current_user, f.version.data, visit_id, _visit_data(f)
        ),
        item_id=visit_id,
    )


@bp.post("/requests/<int:request_id>/visits/<int:visit_id>/status")
@roles_required(*REQUEST_ROLES)
def visit_status(request_id: int, visit_id: int) -> Response | tuple[str, int]:
    """Mark a planned home visit done or cancelled, with a note."""
    help_request = _load(request_id)
    return run_action(
        "visit_status",
        help_request,
        make_form("visit_status"),
        lambda f: casework.set_visit_status(
            help_request, current_user, f.version.data, visit_id, f.status.data, f.note.data
        ),
        item_id=visit_id,
    )


@bp.post("/requests/<int:request_id>/referrals")
@roles_required(*REQUEST_ROLES)
def refer(request_id: int) -> Response | tuple[str, int]:
    """Refer the family to a service from the catalogue."""
    help_request = _load(request_id)

    def apply(form: ReferralForm) -> object:
        service = db.session.get(Service, form.service.data)
        if service is None:
            abort(400)
        return casework.refer(
            help_request, current_user, form.version.data, service, form.status.data, form.note.data
        )

    return run_action("referral", help_request, make_form("referral"), apply)


@bp.post("/requests/<int:request_id>/referrals/<int:referral_id>/status")
@roles_required(*REQUEST_ROLES)
def referral_status(request_id: int, referral_id: int) -> Response | tuple[str, int]:
    """Update the status of a referral."""
    help_request = _load(request_id)
    return run_action(
        "referral_status",
        help_request,
        make_form("referral_status"),
        lambda f: casework.set_referral_status(
            help_request, current_user, f.version.data, referral_id, f.status.data
        ),
        item_id=referral_id,
    )


@bp.get("/services/options")
@roles_required(*REQUEST_ROLES)
def service_options() -> str | tuple[str, int]:
    """The services matching ``q``, as ``<option>`` elements for the referral form's list;
    none (422) for a text the search cannot use (control characters, too long)."""
    text = text_rules.normalise(request.args.get("q", ""), multiline=False)
    if inbox.search_problem(text):
        return render_template("catalogue/_service_options.html", services=[]), 422
    services = casework.search_services(text, current_user.language)
    return render_template("catalogue/_service_options.html", services=services)
