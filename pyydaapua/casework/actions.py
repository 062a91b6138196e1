"""The registry of casework actions: one declaration per action, which the routes, the request
page's list of actions, the timeline, the htmx answer, the audit labels and the tests all read.

Adding an action: write its domain function (``domain.py``), its form (``forms.py``) and form
partial (``templates/casework/_form_<name>.html``, which writes its form tag with the
``form_for`` macro), declare it here, and translate its texts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from flask import abort, current_app, g, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice

from pyydaapua import audit
from pyydaapua.accounts.auth import client_address
from pyydaapua.accounts.permissions import Permission, can, roles_with
from pyydaapua.casework import changes
from pyydaapua.casework.changes import TimelineEntry
from pyydaapua.casework.forms import (
    CONSENT_REFUSALS,
    AllFineForm,
    AssignForm,
    CallForm,
    MessageForm,
    NoteForm,
    PlanCallForm,
    ReferralForm,
    ReferralStatusForm,
    ReopenForm,
    StatusForm,
    VisitForm,
    VisitStatusForm,
)
from pyydaapua.casework.words import Words, ngettext, page_words
from pyydaapua.casework.words import gettext as _
from pyydaapua.database import db
from pyydaapua.models import HelpRequest, Service, StaffUser
from pyydaapua.rules import planned_calls
from pyydaapua.rules.disclosures import PASSED_ON, split_categories
from pyydaapua.rules.status_flow import WorkflowError
from pyydaapua.web.forms import _l
from pyydaapua.web.i18n import datetime_text


@dataclass(frozen=True)
class Region:
    """A part of the request page that holds the forms of several actions."""

    template: str
    element_id: str


# The parts of the request page an action's htmx answer can replace (besides its own form).
REGIONS = {
    "header": Region("casework/_request_header.html", "request-header"),
    "visits": Region("casework/_visits.html", "visits"),
    "referrals": Region("casework/_referrals.html", "referrals"),
}

# The text of a timeline entry, with the words of the page's language.
TimelineText = Callable[[TimelineEntry, Words], str]
Apply = Callable[[HelpRequest, Any, "int | None", Callable[[], object]], object]


@dataclass(frozen=True)
class Action:
    """One casework action.

    ``apply(help_request, form, item_id, record)`` calls the domain function; ``record`` writes
    the audit event in the same transaction. ``host`` is the template that writes the action's
    form (with the ``form_for`` macro): the action's own partial, which its htmx answer
    replaces, or one of ``REGIONS``, which its answer replaces. ``item`` names the address's
    argument of an action on one visit or referral. ``title`` names the action in the request
    page's list of actions (None: its form is elsewhere on the page). ``timeline`` gives the
    text of each timeline entry the action writes."""

    name: str
    endpoint: str
    rule: str
    form: type[FlaskForm]
    apply: Apply
    done: Any
    audit_label: Any
    timeline: Mapping[str, TimelineText]
    host: str
    title: Any = None
    item: str | None = None
    # The choices of the form's fields that list staff or services, by field name.
    choices: Callable[[], dict[str, list[SelectChoice]]] | None = None
    # The values of a fresh form's fields on the request, by field name, where they are not the
    # form's own defaults.
    fresh: Callable[[HelpRequest], dict[str, Any]] | None = None
    prefix: Callable[[int | None], str] | None = field(default=None)
    # The answer's text when it depends on what was sent (else ``done``).
    done_for: Callable[[Any], Any] | None = None
    # Shows a refusal in the form itself (True) instead of as an error message.
    warn: Callable[[Any, HelpRequest, WorkflowError], bool] | None = None
    # Whether the action is offered on an open request (None: on every open one).
    offered: Callable[[HelpRequest], bool] | None = None
    # The action a closed request takes (reopening it); it takes no other.
    on_closed: bool = False

    def offered_on(self, help_request: HelpRequest) -> bool:
        if (help_request.status == "closed") != self.on_closed:
            return False
        return self.offered is None or self.offered(help_request)

    @property
    def per_item(self) -> bool:
        """Whether the action is on one visit or referral (a form per item)."""
        return self.item is not None

    @property
    def region(self) -> str:
        """The part of the page the action's htmx answer replaces: "form", its own form, or a
        key of ``REGIONS``."""
        return next((name for name, r in REGIONS.items() if r.template == self.host), "form")

    @property
    def target(self) -> str:
        """The htmx target of the action's form."""
        return "this" if self.region == "form" else "#" + REGIONS[self.region].element_id

    def url(self, request_id: int, item_id: int | None = None) -> str:
        """The address the action's form posts to."""
        item: dict[str, Any] = {self.item: item_id} if self.item is not None else {}
        return url_for("casework." + self.endpoint, request_id=request_id, **item)

    def form_prefix(self, item_id: int | None = None) -> str:
        """The prefix of the form's field names, unique on the page."""
        return self.prefix(item_id) if self.prefix else self.name

    def done_text(self, form: FlaskForm) -> str:
        """What the answer says when the action was done."""
        return str(self.done_for(form) if self.done_for is not None else self.done)

    @property
    def audit_action(self) -> str:
        return "request_" + self.name

    def make_form(self, item_id: int | None = None, **kwargs: Any) -> FlaskForm:
        """The action's form; the prefix keeps field names and ids unique on the page."""
        return self.form(prefix=self.form_prefix(item_id), **kwargs)


# --- Choices and defaults of the forms ---


def staff_choices() -> list[SelectChoice]:
    """The staff who can own a request or go on a visit, loaded once per answer."""
    if "staff_choices" not in g:
        assignable = changes.active_staff(roles_with(Permission.WORK_REQUESTS))
        g.staff_choices = [SelectChoice(user_id, name) for user_id, name in assignable]
    return g.staff_choices


def _owner_choices() -> dict[str, list[SelectChoice]]:
    return {"assignee": [SelectChoice("", _("Nobody")), *staff_choices()]}


def _fresh_owner(help_request: HelpRequest) -> dict[str, Any]:
    return {"assignee": help_request.assigned_to_id}


def _visit_staff_choices() -> dict[str, list[SelectChoice]]:
    return {"staff": staff_choices()}


def _fresh_visit(help_request: HelpRequest) -> dict[str, Any]:
    """A new visit is the signed-in user's own."""
    return {"staff": [current_user.id]}


def _service_choices() -> dict[str, list[SelectChoice]]:
    # The provider types in the page's language, translated once per language.
    provider_types = page_words().labels["provider_type_labels"]
    return {
        "service": [
            SelectChoice("", _("Choose a service")),
            *(
                SelectChoice(service_id, f"{name} ({provider_types[provider_type]})")
                for service_id, name, provider_type in changes.service_choices(
                    current_user.language
                )
            ),
        ]
    }


def proposed_call_time(help_request: HelpRequest) -> datetime | None:
    """The next try proposed from the family's good time to call, inside the family centre's
    opening hours (rules/planned_calls.py)."""
    return planned_calls.propose_next_call(
        help_request.call_time, changes.now_utc(), current_app.config["FAMILY_CENTRE_HOURS"]
    )


def _fresh_call(help_request: HelpRequest) -> dict[str, Any]:
    """A fresh call form proposes the next try, for a call that does not reach the family."""
    return {"next_call": "retry", "planned_at": proposed_call_time(help_request)}


def _fresh_plan_call(help_request: HelpRequest) -> dict[str, Any]:
    """A fresh form shows the call planned now, or proposes one."""
    if help_request.planned_call_at is not None:
        return {
            "planned_at": help_request.planned_call_at,
            "agreed": "agreed" if help_request.planned_call_agreed else "proposed",
        }
    return {"planned_at": proposed_call_time(help_request)}


def _call_done(form: Any) -> str:
    """The call's answer names the next call when one was planned."""
    plan = form.planned_call()
    if plan is None:
        return _("The call was recorded.")
    return _(
        "The call was recorded. The next call is planned for %(time)s.",
        time=datetime_text(plan.at, "short"),
    )


def _plan_done(form: Any) -> str:
    plan = form.planned_call()
    if plan is None:
        return _("The planned call was cleared.")
    return _("The call is planned for %(time)s.", time=datetime_text(plan.at, "short"))


def _fresh_status(help_request: HelpRequest) -> dict[str, Any]:
    return {"status": help_request.status}


def _warn_of_open_work(form: Any, help_request: HelpRequest, error: WorkflowError) -> bool:
    """Closing with open work: the form shows the work, to confirm, with every booked visit
    ticked to be cancelled and every referral awaiting an answer ticked to be ended."""
    if error.code != "open_work":
        return False
    form.open_work = changes.open_work(help_request.id, changes.now_utc())
    form.open_work_seen.data = True
    form.cancel_visits.data = [visit.id for visit in form.open_work.visits]
    form.end_referrals.data = [referral.id for referral in form.open_work.referrals]
    return True


def visit_form_prefix(visit_id: int | None) -> str:
    return f"visit{visit_id}"


# --- What the actions do ---


def request_staff(user_id: int | None) -> StaffUser | None:
    """The member of staff chosen in a form (None for nobody); 400 for anyone who cannot work
    requests."""
    if user_id is None:
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or not can(user, Permission.WORK_REQUESTS):
        abort(400)
    return user


def _visit_data(form: VisitForm) -> changes.VisitData:
    return changes.VisitData(
        starts_at=cast(datetime, form.starts_at.data_utc),  # the form was validated
        duration_minutes=form.duration_minutes.data,
        address=form.address.data,
        staff=[user for user_id in form.staff.data if (user := request_staff(user_id))],
    )


def _refer(help_request: HelpRequest, form: Any, item_id: int | None, record: Any) -> object:
    service = db.session.get(Service, form.service.data)
    if service is None:
        abort(400)
    consent = form.consent_data()

    def record_with_disclosure() -> None:
        record()
        if consent.consent == PASSED_ON:  # the disclosure's own event, in the same transaction
            audit.record(
                "information_disclosed",
                user_id=current_user.id,
                request_id=help_request.id,
                client_address=client_address(),
                commit=False,
            )

    return changes.refer(
        help_request,
        current_user,
        form.version.data,
        service,
        form.status.data,
        form.note.data,
        consent,
        record=record_with_disclosure,
    )


# --- Timeline texts ---


def _visit_time(event: TimelineEntry, words: Words) -> str:
    assert event.visit is not None  # every visit entry names its visit
    return words.moment(event.visit.starts_at)


def _call_text(event: TimelineEntry, words: Words) -> str:
    text = _("call") + ": " + words.labels["call_result_labels"][event.value]
    if event.call is not None and event.call.duration_minutes:
        minutes = event.call.duration_minutes
        text += ", " + ngettext("%(num)s minute", "%(num)s minutes", minutes)
    return text


def _service(event: TimelineEntry, words: Words) -> str:
    assert event.referral is not None  # every referral entry names its referral
    return event.referral.service.name(words.language)


def _referral_text(event: TimelineEntry, words: Words) -> str:
    text = _("referred to %(service)s", service=_service(event, words))
    text += f" ({words.labels['referral_status_labels'][event.value]})"
    assert event.referral is not None  # every referral entry names its referral
    if event.referral.consent is not None:  # NULL: recorded before consent was asked
        text += ", " + words.consent_short[event.referral.consent].lower()
    return text


def _disclosure_text(event: TimelineEntry, words: Words) -> str:
    """What went to whom: the categories in words (the log beside it names the unit)."""
    categories = words.labels["disclosure_category_labels"]
    what = [categories[code] for code in split_categories(event.value)]
    return _(
        "passed information on to %(service)s: %(what)s",
        service=_service(event, words),
        what="; ".join(what),
    )


def _planned_call_text(event: TimelineEntry, words: Words) -> str:
    plan = changes.PlannedCall.from_code(event.value)
    when = words.moment(plan.at)
    if plan.agreed:
        return _("planned a call for %(time)s, agreed with the family", time=when)
    return _("planned a call for %(time)s, proposed by us", time=when)


def _other_user(event: TimelineEntry, words: Words) -> str:
    assert event.other_user is not None  # an assignment names whom to
    return event.other_user.name


# What a counsellor reads when the rules refuse an action (rules/status_flow.py's codes).
REFUSALS = {
    "transition_not_allowed": _l(
        "The request cannot be moved to that status from its current one."
    ),
    "outcome_required": _l("Choose the outcome to close the request."),
    "visit_not_planned": _l("Only a planned visit can be marked done or cancelled."),
    "referral_not_open": _l("Only a referral waiting for the service's answer can be ended."),
    "service_inactive": _l("That service is no longer in use. Choose another service."),
    "call_before_request": _l(
        "The time of the call cannot be before the request was sent. Check the date and time."
    ),
    "call_in_future": _l("The time of the call cannot be in the future."),
    "visit_before_request": _l(
        "The visit cannot start before the request was sent. Check the date and time."
    ),
    "open_work": _l(
        "This request has a home visit booked or a referral waiting for the service's answer. "
        "Close it with “Change the status” to see them and decide."
    ),
    "no_status_page": _l(
        "This family asked for a call: they have no status page to read a message on."
    ),
    "request_closed": _l(
        "The request is closed, so nothing more is recorded on it. If the work goes on, "
        "reopen it first. What you wrote is kept here."
    ),
    "request_open": _l("The request is open already."),
    "planned_call_in_past": _l("The planned call cannot be in the past. Check the date and time."),
    "no_phone_calls": _l("This family asked for a written answer: no calls are planned."),
    "no_planned_call": _l("No call is planned on this request."),
    "message_to_closed": _l(
        "The request is closed, and the family cannot answer. Reopen it to write to them."
    ),
    "visit_not_started": _l(
        "A visit can be marked done only once it has started. Change its time if it took "
        "place earlier."
    ),
    # The family's consent and what is passed on (rules/disclosures.py).
    **CONSENT_REFUSALS,
}


# --- The registry ---

ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action(
            name="assign",
            endpoint="assign",
            rule="/requests/<int:request_id>/assign",
            form=AssignForm,
            host="casework/_request_header.html",
            choices=_owner_choices,
            fresh=_fresh_owner,
            apply=lambda req, form, item, record: changes.assign(
                req,
                current_user,
                form.version.data,
                request_staff(form.assignee.data),
                record=record,
            ),
            done=_l("The owner was changed."),
            # Taking the request (the take button, or choosing oneself) in the user's words.
            done_for=lambda form: (
                _l("You took the request.")
                if form.assignee.data == current_user.id
                else _l("The owner was changed.")
            ),
            audit_label=_l("changed the owner"),
            timeline={
                "taken": lambda e, w: _("took the request"),
                "assigned": lambda e, w: _(
                    "assigned the request to %(name)s", name=_other_user(e, w)
                ),
                "unassigned": lambda e, w: _("removed the owner"),
            },
        ),
        Action(
            name="message",
            endpoint="message_family",
            rule="/requests/<int:request_id>/messages",
            form=MessageForm,
            title=_l("Message to the family"),
            host="casework/_form_message.html",
            offered=lambda req: req.contact_method == "status_page",
            apply=lambda req, form, item, record: changes.message_family(
                req, current_user, form.version.data, form.message.data, record=record
            ),
            done=_l("The message was sent. The family sees it on their status page."),
            audit_label=_l("wrote to the family"),
            timeline={
                "message_to_family": lambda e, w: _("message to the family"),
                # written by the family on the status page (see status_page/)
                "message_from_family": lambda e, w: _("message from the family"),
            },
        ),
        Action(
            name="call",
            endpoint="record_call",
            rule="/requests/<int:request_id>/calls",
            form=CallForm,
            title=_l("Record a call"),
            host="casework/_form_call.html",
            # A family who chose a written answer is answered on the status page.
            offered=lambda req: req.contact_method == "phone",
            fresh=_fresh_call,
            apply=lambda req, form, item, record: changes.record_call(
                req,
                current_user,
                form.version.data,
                form.to_data(),
                form.planned_call(),
                form.clears_the_plan(),
                record=record,
            ),
            done=_l("The call was recorded."),
            done_for=_call_done,
            audit_label=_l("recorded a call"),
            timeline={"call": _call_text},
        ),
        Action(
            name="plan_call",
            endpoint="plan_call",
            rule="/requests/<int:request_id>/planned-call",
            form=PlanCallForm,
            title=_l("Plan a call"),
            host="casework/_form_plan_call.html",
            # Calls are planned with a family who asked for a call.
            offered=lambda req: planned_calls.can_plan(req.contact_method),
            fresh=_fresh_plan_call,
            apply=lambda req, form, item, record: changes.plan_call(
                req, current_user, form.version.data, form.planned_call(), record=record
            ),
            done=_l("The call is planned."),
            done_for=_plan_done,
            audit_label=_l("planned a call"),
            timeline={
                "call_planned": _planned_call_text,
                "call_plan_cleared": lambda e, w: _("cleared the planned call"),
            },
        ),
        Action(
            name="all_fine",
            endpoint="record_all_fine",
            rule="/requests/<int:request_id>/calls/all-fine",
            form=AllFineForm,
            host="casework/_form_all_fine.html",
            offered=lambda req: req.contact_method == "phone",
            apply=lambda req, form, item, record: changes.record_all_fine(
                req, current_user, form.version.data, bool(form.close.data), record=record
            ),
            done=_l("The call was recorded: reached, all fine."),
            done_for=lambda form: (
                _l("The call was recorded: reached, all fine. The request was closed.")
                if form.close.data
                else _l("The call was recorded: reached, all fine.")
            ),
            audit_label=_l("recorded a call: reached, all fine"),
            timeline={},  # it writes a call entry, and a closing one when asked
        ),
        Action(
            name="visit",
            endpoint="book_visit",
            rule="/requests/<int:request_id>/visits",
            form=VisitForm,
            title=_l("Book a home visit"),
            host="casework/_form_visit.html",
            choices=_visit_staff_choices,
            fresh=_fresh_visit,
            apply=lambda req, form, item, record: changes.book_visit(
                req, current_user, form.version.data, _visit_data(form), record=record
            ),
            done=_l("The home visit was saved."),
            audit_label=_l("booked a home visit"),
            timeline={
                "visit_booked": lambda e, w: _(
                    "booked a home visit for %(time)s", time=_visit_time(e, w)
                ),
            },
        ),
        Action(
            name="referral",
            endpoint="refer",
            rule="/requests/<int:request_id>/referrals",
            form=ReferralForm,
            title=_l("Refer to a service"),
            host="casework/_form_referral.html",
            choices=_service_choices,
            apply=_refer,
            done=_l("The referral was saved."),
            audit_label=_l("made a referral"),
            timeline={"referral": _referral_text, "disclosure": _disclosure_text},
        ),
        Action(
            name="note",
            endpoint="add_note",
            rule="/requests/<int:request_id>/notes",
            form=NoteForm,
            title=_l("Internal note"),
            host="casework/_form_note.html",
            apply=lambda req, form, item, record: changes.add_note(
                req, current_user, form.version.data, form.note.data, record=record
            ),
            done=_l("The note was added."),
            audit_label=_l("added a note"),
            timeline={"note": lambda e, w: _("internal note")},
        ),
        Action(
            name="status",
            endpoint="change_status",
            rule="/requests/<int:request_id>/status",
            form=StatusForm,
            title=_l("Change the status"),
            host="casework/_form_status.html",
            fresh=_fresh_status,
            apply=lambda req, form, item, record: changes.change_status(
                req,
                current_user,
                form.version.data,
                form.status.data,
                form.outcome.data or None,
                form.note.data,
                open_work_seen=bool(form.open_work_seen.data),
                cancel_visits=form.cancel_visits.data or (),
                end_referrals=form.end_referrals.data or (),
                record=record,
            ),
            warn=_warn_of_open_work,
            done=_l("The status was changed."),
            audit_label=_l("changed the status"),
            timeline={
                "status": lambda e, w: _(
                    "changed the status to %(status)s", status=w.labels["status_labels"][e.value]
                ),
                "closed": lambda e, w: _(
                    "closed the request: %(outcome)s", outcome=w.labels["outcome_labels"][e.value]
                ),
            },
        ),
        Action(
            name="reopen",
            endpoint="reopen",
            rule="/requests/<int:request_id>/reopen",
            form=ReopenForm,
            title=_l("Reopen the request"),
            host="casework/_form_reopen.html",
            on_closed=True,
            apply=lambda req, form, item, record: changes.reopen(
                req, current_user, form.version.data, form.reason.data, record=record
            ),
            done=_l("The request was reopened. It is in progress again."),
            audit_label=_l("reopened the request"),
            timeline={"reopened": lambda e, w: _("reopened the request")},
        ),
        Action(
            name="visit_edit",
            endpoint="edit_visit",
            rule="/requests/<int:request_id>/visits/<int:visit_id>",
            form=VisitForm,
            host="casework/_visits.html",
            item="visit_id",
            prefix=visit_form_prefix,
            choices=_visit_staff_choices,
            apply=lambda req, form, item, record: changes.update_visit(
                req, current_user, form.version.data, item, _visit_data(form), record=record
            ),
            done=_l("The home visit was changed."),
            audit_label=_l("changed a home visit"),
            timeline={
                "visit_changed": lambda e, w: _(
                    "changed the home visit of %(time)s", time=_visit_time(e, w)
                ),
            },
        ),
        Action(
            name="visit_status",
            endpoint="visit_status",
            rule="/requests/<int:request_id>/visits/<int:visit_id>/status",
            form=VisitStatusForm,
            host="casework/_visits.html",
            item="visit_id",
            apply=lambda req, form, item, record: changes.set_visit_status(
                req,
                current_user,
                form.version.data,
                item,
                form.status.data,
                form.note.data,
                record=record,
            ),
            done=_l("The home visit was updated."),
            audit_label=_l("updated a home visit"),
            timeline={
                "visit_done": lambda e, w: _(
                    "marked the home visit of %(time)s done", time=_visit_time(e, w)
                ),
                "visit_cancelled": lambda e, w: _(
                    "cancelled the home visit of %(time)s", time=_visit_time(e, w)
                ),
            },
        ),
        Action(
            name="referral_status",
            endpoint="referral_status",
            rule="/requests/<int:request_id>/referrals/<int:referral_id>/status",
            form=ReferralStatusForm,
            host="casework/_referrals.html",
            item="referral_id",
            apply=lambda req, form, item, record: changes.set_referral_status(
                req, current_user, form.version.data, item, form.status.data, record=record
            ),
            done=_l("The referral was updated."),
            audit_label=_l("updated a referral"),
            timeline={
                "referral_status": lambda e, w: _(
                    "updated the referral to %(service)s: %(status)s",
                    service=_service(e, w),
                    status=w.labels["referral_status_labels"][e.value],
                ),
            },
        ),
    )
}

# The forms shown once on the request page (the others belong to one visit or referral).
PAGE_ACTIONS = tuple(action for action in ACTIONS.values() if not action.per_item)
# The request page's list of actions, in this order (those ``offered_on`` the request).
LISTED_ACTIONS = tuple(action for action in ACTIONS.values() if action.title is not None)
TIMELINE_TEXTS: dict[str, TimelineText] = {
    kind: text for action in ACTIONS.values() for kind, text in action.timeline.items()
}
AUDIT_LABELS = {action.audit_action: action.audit_label for action in ACTIONS.values()}
