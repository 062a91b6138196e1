"""The request page and its actions. Each action works as a plain POST followed by a redirect,
and inline with htmx: the form comes back (fresh, or with its errors) and the header, timeline
and lists are swapped out of band, with the result announced in the live region."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import bindparam, select
from werkzeug.wrappers import Response

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address, permission_required
from pyydaapua.accounts.permissions import Permission, can
from pyydaapua.audit import REQUEST_LISTED, Read
from pyydaapua.casework import changes
from pyydaapua.casework.actions import (
    ACTIONS,
    LISTED_ACTIONS,
    PAGE_ACTIONS,
    REFUSALS,
    Action,
    staff_choices,
    visit_form_prefix,
)
from pyydaapua.casework.forms import (
    VisitForm,
)
from pyydaapua.casework.kept_forms import FreshForm, kept_form
from pyydaapua.casework.timeline_rows import timeline_rows
from pyydaapua.database import db, planned_once
from pyydaapua.inbox import queries
from pyydaapua.models import AuditEvent, HelpRequest, StaffUser
from pyydaapua.rules import deadlines, planned_calls, status_flow, typed_text
from pyydaapua.rules.repeats import SAME_FAMILY_DAYS, excerpt
from pyydaapua.rules.typed_dates import day_and_time_text
from pyydaapua.rules.workdays import HELSINKI, helsinki_date
from pyydaapua.web import htmx
from pyydaapua.web.i18n import datetime_text
from pyydaapua.web.transactions import commit_keeping_loaded

# The casework views, under /staff/: every one needs sign-in and a permission.
bp = Blueprint("casework", __name__, url_prefix="/staff")
# How much of what the parent wrote the first screen shows: about three lines.
WORDS_EXCERPT_CHARS = 240

bp.add_app_template_global(timeline_rows)
bp.add_app_template_global(kept_form)
# The registry, for the form_for macro (templates/macros/action.html).
bp.record_once(lambda state: state.app.jinja_env.globals.update(actions=ACTIONS))
bp.add_app_template_filter(typed_text.first_name, "first_name")


def prepare(action: Action, form: FlaskForm, help_request: HelpRequest) -> FlaskForm:
    """Give a sent form its choices, and the request's version when it was sent without one."""
    if form.version.data is None:
        form.version.data = help_request.version
    if action.choices is not None:
        for name, choices in action.choices().items():
            form[name].choices = choices
    return form


def fresh_forms(
    help_request: HelpRequest, **submitted: FlaskForm
) -> dict[str, FlaskForm | FreshForm]:
    """One form per action shown once on the page that the request takes now
    (``Action.offered_on``), fresh unless given (a form the user is correcting, shown whether
    offered or not). A fresh form of its own part of the page is built only when its kept copy
    is missing (casework/kept_forms.py)."""
    forms: dict[str, FlaskForm | FreshForm] = {}
    for action in PAGE_ACTIONS:
        if action.name in submitted:
            forms[action.name] = prepare(action, submitted[action.name], help_request)
        elif action.offered_on(help_request):
            fresh = FreshForm.of(action, help_request)
            forms[action.name] = fresh if action.region == "form" else fresh.form
    return forms


def page_context(help_request: HelpRequest, **extra: Any) -> dict[str, Any]:
    """Everything the request page and its parts show, in a constant number of queries."""
    # The timeline, and the visits, referrals and disclosure log it names, in one query.
    work = changes.work(help_request.id)
    context: dict[str, Any] = {
        "req": help_request,
        # The same badge as in the inbox, on the same rule.
        "deadline": deadlines.Deadline.of(help_request.due_date, helsinki_date(datetime.now(UTC))),
        "timeline": timeline_rows(work.timeline),
        "newest_first": True,  # the timeline; the family's export shows it oldest first
        "visits": work.visits,
        "referrals": work.referrals,
        "disclosures": work.disclosures,
        "audit_events": _audit_events(help_request.id),
        "item_errors": {},
        "banner": None,
        # The first lines of what the parent wrote, first on the page (the rest further down).
        "words_excerpt": excerpt(help_request.description or "", WORDS_EXCERPT_CHARS),
        # A planned call whose time has passed is marked (rules/planned_calls.py).
        "planned_call_passed": help_request.planned_call_at is not None
        and planned_calls.call_has_passed(help_request.planned_call_at, changes.now_utc()),
    }
    context.update(extra)
    if "forms" not in context:
        context["forms"] = fresh_forms(help_request)
    # The actions the request takes now (a closed one: only reopening), by name.
    context["offered"] = {name for name, a in ACTIONS.items() if a.offered_on(help_request)}
    # A refused form is shown with its errors even when the request does not offer it.
    context["listed_actions"] = [
        action
        for action in LISTED_ACTIONS
        if action.name in context["offered"]
        or (action.name in context["forms"] and context["forms"][action.name].errors)
    ]
    context["visit_forms"] = {
        visit.id: context["item_errors"].get(("visit_edit", visit.id)) or _visit_form(visit)
        for visit in context["visits"]
        if visit.status == "planned"
    }
    return context


def whole_page_context(
    help_request: HelpRequest, viewed: Read | None, **extra: Any
) -> dict[str, Any]:
    """The whole request page: its parts, and the other requests from the same phone number
    close in time. The page's read (``viewed``, None for an action's answer, whose own event
    says it) and each other request shown are audited in one INSERT."""
    others = queries.asked_again([help_request]).get(help_request.id, [])
    reads = [Read(REQUEST_LISTED, other.id, "same_phone", other.owner_id) for other in others]
    _record_reads([viewed, *reads] if viewed is not None else reads)
    return page_context(
        help_request, asked_again=others, same_family_days=SAME_FAMILY_DAYS, **extra
    )


def _record_reads(reads: list[Read]) -> None:
    audit.record_reads(reads, user_id=current_user.id, client_address=client_address())


def _visit_form(visit: changes.VisitShown) -> VisitForm:
    """The edit form of a planned visit, filled with what it is now."""
    form = VisitForm(
        formdata=None,
        meta={"csrf": False},  # never validated: the page writes the token (csrf_field())
        prefix=visit_form_prefix(visit.id),
        starts_at=day_and_time_text(visit.starts_at.astimezone(HELSINKI)),
        duration_minutes=visit.duration_minutes,
        address=visit.address,
        staff=[user.id for user in visit.staff],
    )
    form.staff.choices = staff_choices()
    return form


# The request's newest audit events with who did each, for supervisors; built once.
_AUDIT_EVENTS = planned_once(
    select(AuditEvent, StaffUser)
    .outerjoin(StaffUser, StaffUser.id == AuditEvent.user_id)
    .where(AuditEvent.request_id == bindparam("request_id"))
    .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    .limit(100)
)


def _audit_events(request_id: int) -> list[tuple[AuditEvent, StaffUser | None]]:
    if not can(current_user, Permission.SEE_HANDLERS):
        return []
    rows = db.session.execute(_AUDIT_EVENTS, {"request_id": request_id}).all()
    return [(event, user) for event, user in rows]


def _load(request_id: int) -> HelpRequest:
    help_request = changes.get_request(request_id)
    if help_request is None:
        abort(404)
    return help_request


@bp.get("/requests/<int:request_id>")
@permission_required(Permission.WORK_REQUESTS)
def request_page(request_id: int) -> str:
    """Everything the parent sent, the timeline, and the actions. Every view is audited."""
    help_request = _load(request_id)
    context = whole_page_context(help_request, Read("request_viewed", help_request.id, "page"))
    # The inbox view the counsellor came from (its filters, in the address), for "Next request".
    view: dict[str, Any] = queries.Filters.from_args(request.args).to_args()
    context["next_url"] = url_for("inbox.next_request", request_id=request_id, **view)
    context["view_url"] = url_for("inbox.inbox", **view)
    commit_keeping_loaded()
    return render_template("casework/request.html", **context)


def stale_banner(stale: changes.StaleVersion) -> str:
    """Who changed the request meanwhile, and when; the counsellor's own other window is
    named as such, not by their own name."""
    fresh = stale.fresh
    when = datetime_text(fresh.updated_at, "short") if fresh.updated_at else ""
    if stale.by_actor:
        return _(
            "You changed this request in another window at %(time)s. The page now shows the "
            "latest state and what you wrote is kept: check it and send again.",
            time=when,
        )
    who = fresh.updated_by.name if fresh.updated_by else _("Someone")
    return _(
        "%(name)s changed this request at %(time)s. The page now shows the latest state and "
        "what you wrote is kept: check it and send again.",
        name=who,
        time=when,
    )


def run_action(
    action: Action, help_request: HelpRequest, form: FlaskForm, item_id: int | None = None
) -> Response | tuple[str, int]:
    """Validate, apply and answer: the shared path of every action. The change and its audit
    event are committed together."""
    prepare(action, form, help_request)
    http_status = 422
    banner = None
    reshaped = False  # the request was closed or reopened: the forms it takes have changed
    if help_request.status == "closed" and not action.on_closed:
        http_status, banner, reshaped = _closed_refusal(form)
    elif form.validate():

        def record() -> None:
            audit.record(
                action.audit_action,
                user_id=current_user.id,
                request_id=help_request.id,
                client_address=client_address(),
                commit=False,
            )

        owner_before = help_request.assigned_to_id
        was_closed = help_request.status == "closed"
        try:
            action.apply(help_request, form, item_id, record)
        except changes.StaleVersion as stale:
            help_request, http_status, banner = stale.fresh, 409, stale_banner(stale)
            # The second try is based on the state now shown.
            form.version.data = help_request.version
            form.version.raw_data = [str(help_request.version)]
        except changes.NotFound:
            db.session.rollback()
            abort(404)
        except status_flow.WorkflowError as error:
            db.session.rollback()
            if error.code == "request_closed":
                http_status, banner, reshaped = _closed_refusal(form)
            elif action.warn is not None and action.warn(form, help_request, error):
                pass  # the form shows what to confirm
            elif error.field is not None and error.field in form:
                form[error.field].errors.append(str(REFUSALS[error.code]))
            else:
                form.form_errors.append(str(REFUSALS[error.code]))
        else:
            message = action.done_text(form)
            if action.name != "assign" and changes.became_owner(
                owner_before, help_request, current_user
            ):
                message += " " + _("You are now this request's owner.")
            if not htmx.is_htmx():
                flash(message)
                return redirect(url_for("casework.request_page", request_id=help_request.id), 303)
            if was_closed == (help_request.status == "closed"):
                context = page_context(help_request, announcement=message)
                return render_template("casework/_action_done.html", action=action, **context), 200
            context = whole_page_context(help_request, None, announcement=message, reshaped=True)
            return _whole_work_answer("casework/_action_done.html", action, context, 200)
    extra: dict[str, Any]
    if action.per_item:
        extra = {"item_errors": {(action.name, item_id): form}}
    else:
        extra = {"forms": fresh_forms(help_request, **{action.name: form})}
    # The refusal shows the request again (for 409, its fresh state): a read, audited.
    viewed = Read("request_viewed_refused", help_request.id, f"{action.name} {http_status}")
    # The live region says why, replacing whatever it said last (an earlier success).
    extra["announcement"] = banner or _first_error(form)
    if htmx.is_htmx() and reshaped:
        context = whole_page_context(help_request, viewed, banner=banner, reshaped=True, **extra)
        return _whole_work_answer("casework/_action_refused.html", action, context, http_status)
    if htmx.is_htmx():
        _record_reads([viewed])
        context = page_context(help_request, banner=banner, **extra)
        commit_keeping_loaded()
        return render_template(
            "casework/_action_refused.html", action=action, **context
        ), http_status
    context = whole_page_context(help_request, viewed, banner=banner, **extra)
    commit_keeping_loaded()
    return render_template("casework/request.html", **context), http_status


def _first_error(form: FlaskForm) -> str:
    """The first thing the refused form says is wrong."""
    messages = [*form.form_errors, *(field.errors[0] for field in form if field.errors)]
    return str(messages[0]) if messages else ""


def _closed_refusal(form: FlaskForm) -> tuple[int, str, bool]:
    """An action on a closed request (perhaps closed meanwhile, in another window): 409, the
    page as it is now, and the form with what was typed and why it was refused."""
    banner = str(REFUSALS["request_closed"])
    form.form_errors.append(banner)
    return 409, banner, True


def _whole_work_answer(
    template: str, action: Action, context: dict[str, Any], http_status: int
) -> Response:
    """An htmx answer that replaces the whole of #request-work (``reshaped``): closing or
    reopening the request changed the forms it takes."""
    commit_keeping_loaded()
    answer = make_response(render_template(template, action=action, **context), http_status)
    answer.headers.update({"HX-Retarget": "#request-work", "HX-Reswap": "outerHTML"})
    return answer


def submitted_form(action: Action, item_id: int | None = None) -> FlaskForm:
    """The action's form as posted. With htmx the page's version comes too (the form's
    ``data-hx-include``): the version of the state the page shows, which every answer
    refreshes, so it counts over the version written in a form that was not replaced since.
    A browser without JavaScript posts the form's own, from a page loaded whole."""
    data = request.form.copy()
    if "version" in data:
        data.setlist(action.form_prefix(item_id) + "-version", data.getlist("version"))
    return action.make_form(item_id, formdata=data)


def _action_view(action: Action) -> Callable[..., Response | tuple[str, int]]:
    def view(request_id: int, **item: int) -> Response | tuple[str, int]:
        item_id = next(iter(item.values()), None)
        return run_action(action, _load(request_id), submitted_form(action, item_id), item_id)

    view.__name__ = action.endpoint
    view.__doc__ = f"The casework action {action.name!r} (see casework/actions.py)."
    return view


for _action in ACTIONS.values():
    bp.add_url_rule(
        _action.rule,
        endpoint=_action.endpoint,
        view_func=permission_required(Permission.WORK_REQUESTS)(_action_view(_action)),
        methods=["POST"],
    )


@bp.post("/requests/<int:request_id>/take")
@permission_required(Permission.WORK_REQUESTS)
def take(request_id: int) -> Response | tuple[str, int]:
    """Take the request: the signed-in counsellor becomes its owner."""
    action = ACTIONS["assign"]
    form = submitted_form(action)
    form.assignee.data = current_user.id
    return run_action(action, _load(request_id), form)
