"""Working a request at the service level: versions, the clock, the timeline."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from pyydaapua.accounts.users import create_user
from pyydaapua.casework import changes
from pyydaapua.casework.changes import CallData, StaleVersion, VisitData
from pyydaapua.catalogue import services
from pyydaapua.database import db
from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.models import HelpRequest, RequestCount, Service, StaffUser, TimelineEvent
from pyydaapua.rules.status_flow import WorkflowError
from pyydaapua.tools import demo

MONDAY = datetime(2026, 11, 23, 8, tzinfo=UTC)  # due Thursday 26.11.


@pytest.fixture
def req(ctx) -> HelpRequest:
    return submit(
        NewRequest(
            submission_key="k" * 32, language="fi", call_language="fi", phone="+358401234567"
        ),
        now=MONDAY,
    )


@pytest.fixture
def anna(ctx) -> StaffUser:
    return create_user("anna@example.fi", "Anna", "counsellor", "long enough pw")


@pytest.fixture
def erik(ctx) -> StaffUser:
    return create_user("erik@example.fi", "Erik", "supervisor", "long enough pw", "sv")


def call(result: str, at: datetime) -> CallData:
    return CallData(called_at=at, result=result)


def test_take_assign_unassign(req, anna, erik) -> None:
    assert req.due_date == date(2026, 11, 26)
    changes.assign(req, anna, 1, anna)
    assert (req.assigned_to_id, req.status, req.version) == (anna.id, "in_progress", 2)
    changes.assign(req, anna, 2, erik)
    assert req.assigned_to_id == erik.id
    changes.assign(req, erik, 3, None)
    assert req.assigned_to_id is None
    kinds = [e.kind for e in changes.timeline(req.id)]
    assert kinds == ["unassigned", "assigned", "taken"]


def test_stale_version_is_refused_with_the_fresh_state(req, anna, erik) -> None:
    changes.add_note(req, anna, 1, "first")
    with pytest.raises(StaleVersion) as stale:
        changes.add_note(req, erik, 1, "based on what I saw before")
    assert stale.value.fresh.version == 2
    assert stale.value.fresh.updated_by.name == "Anna"
    assert len(changes.timeline(req.id)) == 1


def test_own_change_in_another_window_is_named_as_such(req, anna, erik) -> None:
    """A version made stale by the actor's own change is still refused for a change that
    overwrites state, and the refusal says that it was the actor's own."""
    changes.change_status(req, anna, 1, "waiting")  # Anna's other window
    with pytest.raises(StaleVersion) as own:
        changes.change_status(req, anna, 1, "in_progress")
    assert own.value.by_actor and own.value.fresh.status == "waiting"
    with pytest.raises(StaleVersion) as other:
        changes.change_status(req, erik, 1, "in_progress")
    assert not other.value.by_actor
    assert req.status == "waiting" and req.version == 2


def test_additive_changes_go_through_after_the_actors_own_change(req, anna, erik) -> None:
    """A note and a call only add; after Anna's change in another window, hers based on the
    older version are stored on top of it, and overwrite nothing that was changed."""
    changes.change_status(req, anna, 1, "waiting")
    changes.add_note(req, anna, 1, "written in the first window")
    changes.record_call(req, anna, 1, call("reached", MONDAY + timedelta(hours=1)))
    assert req.version == 4
    assert req.status == "waiting"  # not put back in progress by the call
    assert req.call_attempts == 1 and req.first_contact_at is not None
    kinds = [e.kind for e in changes.timeline(req.id)]
    assert kinds == ["call", "note", "status"]
    # After someone else's change they are refused, so that it is seen first.
    with pytest.raises(StaleVersion):
        changes.add_note(req, erik, 1, "based on what I saw before")
    with pytest.raises(StaleVersion):
        changes.record_call(req, erik, 3, call("reached", MONDAY + timedelta(hours=2)))
    # An action that sets state is not additive, even after one's own change.
    for stale_change in (
        lambda: changes.assign(req, anna, 1, erik),
        lambda: changes.book_visit(
            req, anna, 1, VisitData(MONDAY + timedelta(days=1), 60, "Kotikatu 1", [anna])
        ),
    ):
        with pytest.raises(StaleVersion):
            stale_change()
    # The first change made Anna the owner; the refused assignment did not change that.
    assert req.version == 4 and req.assigned_to_id == anna.id


def test_first_reached_call_stops_the_clock_once(req, anna) -> None:
    changes.record_call(req, anna, 1, call("no_answer", MONDAY + timedelta(hours=1)))
    assert req.first_contact_at is None and req.call_attempts == 1
    changes.record_call(req, anna, 2, call("reached", MONDAY + timedelta(days=2)))
    assert req.first_contact_at == MONDAY + timedelta(days=2)
    assert req.first_contact_on_time is True
    changes.record_call(req, anna, 3, call("reached", MONDAY + timedelta(days=6)))
    assert req.first_contact_at == MONDAY + timedelta(days=2)
    assert req.call_attempts == 3
    assert req.status == "in_progress"


def test_late_first_contact(req, anna) -> None:
    changes.record_call(req, anna, 1, call("reached", datetime(2026, 11, 27, 9, tzinfo=UTC)))
    assert req.first_contact_on_time is False


def test_close_needs_an_outcome_and_can_be_reopened(req, anna) -> None:
    with pytest.raises(WorkflowError) as refused:
        changes.change_status(req, anna, 1, "closed")
    assert refused.value.code == "outcome_required"
    db.session.rollback()
    changes.change_status(req, anna, 1, "closed", "conversation_enough", "all good")
    assert (req.status, req.outcome) == ("closed", "conversation_enough")
    assert req.closed_at is not None
    changes.reopen(req, anna, 2, "the family called again")
    assert (req.status, req.outcome, req.closed_at) == ("in_progress", None, None)
    assert [e.kind for e in changes.timeline(req.id)] == ["reopened", "closed"]
    assert changes.timeline(req.id)[0].note == "the family called again"


@pytest.mark.parametrize(
    "change",
    [
        lambda req, who: changes.add_note(req, who, req.version, "one more note"),
        lambda req, who: changes.record_all_fine(req, who, req.version),
        lambda req, who: changes.assign(req, who, req.version, None),
        lambda req, who: changes.change_status(req, who, req.version, "in_progress"),
        lambda req, who: changes.record_call(
            req, who, req.version, changes.all_fine_call(changes.now_utc())
        ),
    ],
    ids=["note", "all_fine", "assign", "status", "call"],
)
def test_a_closed_request_takes_nothing_but_reopening(req, anna, change) -> None:
    changes.change_status(req, anna, 1, "closed", "conversation_enough")
    attempts, entries = req.call_attempts, len(changes.timeline(req.id))
    with pytest.raises(WorkflowError) as refused:
        change(req, anna)
    assert refused.value.code == "request_closed"
    db.session.rollback()
    assert (req.status, req.call_attempts) == ("closed", attempts)
    assert len(changes.timeline(req.id)) == entries


def test_only_a_closed_request_is_reopened(req, anna) -> None:
    with pytest.raises(WorkflowError) as refused:
        changes.reopen(req, anna, 1, "why not")
    assert refused.value.code == "request_open"


def test_visits_and_referrals(req, anna, erik) -> None:
    start = MONDAY + timedelta(days=3)
    changes.book_visit(req, anna, 1, VisitData(start, 60, "Kotikatu 1", [anna, erik]))
    visit = changes.visits(req.id)[0]
    assert {u.name for u in visit.staff} == {"Anna", "Erik"}
    changes.update_visit(req, anna, 2, visit.id, VisitData(start, 90, "Kotikatu 2", [anna]))
    changes.set_visit_status(req, anna, 3, visit.id, "done", "went well")
    assert req.first_contact_at == start  # a visit done is a contact too
    with pytest.raises(WorkflowError) as refused:  # done already
        changes.set_visit_status(req, anna, 4, visit.id, "cancelled")
    assert refused.value.code == "visit_not_planned"
    db.session.rollback()
    demo.load_services()
    service = db.session.scalars(select(Service)).first()
    changes.refer(req, anna, 4, service, "suggested", "call them")
    referral = changes.referrals(req.id)[0]
    changes.set_referral_status(req, anna, 5, referral.id, "accepted")
    assert referral.status == "accepted"
    with pytest.raises(changes.NotFound):
        changes.set_referral_status(req, anna, 6, 9999, "sent")


def test_an_inactive_service_is_refused_for_new_referrals(req, anna) -> None:
    demo.load_services()
    service = db.session.scalars(select(Service)).first()
    changes.refer(req, anna, 1, service, "sent")
    service.active = False
    db.session.commit()
    with pytest.raises(WorkflowError) as refused:
        changes.refer(req, anna, 2, service, "suggested")
    assert refused.value.code == "service_inactive"
    db.session.rollback()
    assert len(changes.referrals(req.id)) == 1
    assert service.id not in {s.id for s in services.search_services("", "fi", limit=500)}


def test_consent_given_writes_its_disclosure_with_the_referral(req, anna) -> None:
    demo.load_services()
    service = db.session.scalars(select(Service).order_by(Service.id)).first()
    given = changes.ConsentData("given", ("children", "contact"), " Tiimi 2 ")
    changes.refer(req, anna, 1, service, "sent", consent=given)
    referrals, log = changes.referrals_and_disclosures(req.id)
    (entry,) = log
    assert referrals[0].consent == "given" and entry.referral_id == referrals[0].id
    assert (entry.categories, entry.recipient, entry.basis, entry.user_id) == (
        "contact,children",
        f"{service.name_fi} – Tiimi 2",
        "given",
        anna.id,
    )
    newest = changes.timeline(req.id)
    assert [e.kind for e in newest] == ["disclosure", "referral"]
    assert entry.at == newest[0].at  # when: now, as no time was given
    # The change refuses what the rule refuses, whatever sent it.
    for refused in (
        changes.ConsentData("self", ("contact",)),
        changes.ConsentData("declined", ("request",)),
        changes.ConsentData("given", ()),
        changes.ConsentData("maybe"),
        changes.ConsentData("given", ("contact",), disclosed_at=MONDAY - timedelta(days=1)),
    ):
        with pytest.raises(WorkflowError):
            changes.refer(req, anna, 2, service, "sent", consent=refused)
        db.session.rollback()
    changes.refer(req, anna, 2, service, "suggested", consent=changes.ConsentData("self"))
    referrals, log = changes.referrals_and_disclosures(req.id)
    assert [r.consent for r in referrals] == ["given", "self"] and len(log) == 1


def test_service_search_in_both_languages(ctx) -> None:
    demo.load_services()
    assert [s.name_fi for s in services.search_services("perheneuvola", "fi")] == ["Perheneuvola"]
    assert [s.name_sv for s in services.search_services("familjerådgivningen", "sv")] == [
        "Familjerådgivningen"
    ]
    assert len(services.search_services("", "fi", limit=500)) >= 20


def test_two_counsellors_take_at_the_same_moment(ctx, req, anna, erik) -> None:
    """Two threads, two database connections: exactly one becomes the owner."""
    app = ctx
    request_id, users = req.id, [anna.id, erik.id]
    db.session.remove()
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def take(user_id: int) -> None:
        with app.app_context():
            fresh = db.session.get(HelpRequest, request_id)
            user = db.session.get(StaffUser, user_id)
            barrier.wait()
            try:
                changes.assign(fresh, user, 1, user)
                results[user_id] = "owner"
            except StaleVersion:
                results[user_id] = "told"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take, args=(user_id,)) for user_id in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == ["owner", "told"]
    stored = db.session.get(HelpRequest, request_id)
    owner = next(user_id for user_id, result in results.items() if result == "owner")
    assert stored.assigned_to_id == owner and stored.version == 2
    assert db.session.scalar(select(db.func.count()).select_from(TimelineEvent)) == 1


def test_timeline_entries_of_the_same_moment_are_newest_first(req, anna, monkeypatch) -> None:
    """Entries written at the same instant keep a stable order: the one stored last first."""
    monkeypatch.setattr(changes, "now_utc", lambda: MONDAY + timedelta(hours=1))
    for number in range(1, 4):
        changes.add_note(req, anna, number, f"note {number}")
    assert len({event.at for event in changes.timeline(req.id)}) == 1
    assert [event.note for event in changes.timeline(req.id)] == ["note 3", "note 2", "note 1"]


def _kept_counts() -> dict[tuple[str, bool], int]:
    rows = db.session.execute(
        select(RequestCount.status, RequestCount.assigned, RequestCount.total)
    )
    return {(status, bool(assigned)): total for status, assigned, total in rows if total}


def test_the_first_action_on_a_request_without_an_owner_makes_the_actor_its_owner(
    req, anna, erik
) -> None:
    """A call, a note, a visit, a referral or a change of status: whoever does the first one
    on a request with no owner becomes its owner; the kept counts follow."""
    changes.record_call(req, anna, 1, call("no_answer", MONDAY + timedelta(hours=1)))
    assert (req.assigned_to_id, req.status) == (anna.id, "in_progress")
    assert _kept_counts() == {("in_progress", True): 1}
    assert changes.became_owner(None, req, anna)
    changes.add_note(req, erik, 2, "I called too")  # an owner already: it stays Anna
    assert req.assigned_to_id == anna.id
    assert not changes.became_owner(anna.id, req, erik)
    assert [e.kind for e in changes.timeline(req.id)] == ["note", "call"]


@pytest.mark.parametrize("action", ["note", "status", "visit", "referral"])
def test_every_casework_action_claims_a_request_without_an_owner(req, anna, action) -> None:
    demo.load_services()
    service = db.session.scalars(select(Service)).first()
    do = {
        "note": lambda: changes.add_note(req, anna, 1, "note"),
        "status": lambda: changes.change_status(req, anna, 1, "waiting"),
        "visit": lambda: changes.book_visit(
            req, anna, 1, VisitData(MONDAY + timedelta(days=3), 60, "Kotikatu 1", [anna])
        ),
        "referral": lambda: changes.refer(req, anna, 1, service, "suggested"),
    }
    do[action]()
    assert req.assigned_to_id == anna.id
    assert len(_kept_counts()) == 1 and all(owned for _, owned in _kept_counts())


def test_an_explicit_change_of_owner_wins(req, anna, erik) -> None:
    """Assigning to someone else makes them the owner, not the one who assigns; removing the
    owner leaves the request without one."""
    changes.assign(req, anna, 1, erik)
    assert req.assigned_to_id == erik.id
    changes.assign(req, anna, 2, None)
    assert req.assigned_to_id is None
    assert _kept_counts() == {("in_progress", False): 1}


def test_reached_all_fine_is_a_reached_call_with_the_check_in_answered(req, anna) -> None:
    changes.record_all_fine(req, anna, 1)
    (entry,) = changes.timeline(req.id)
    assert (entry.kind, entry.value) == ("call", "reached")
    assert (entry.call.coping, entry.call.finances, entry.call.daily_life) == ("fine",) * 3
    assert req.first_contact_at == entry.call.called_at and req.status == "in_progress"
    assert req.call_attempts == 1 and req.assigned_to_id == anna.id


def test_reached_all_fine_can_close_in_the_same_step(req, anna) -> None:
    changes.record_all_fine(req, anna, 1, close=True)
    assert (req.status, req.outcome, req.version) == ("closed", "conversation_enough", 2)
    assert [e.kind for e in changes.timeline(req.id)] == ["closed", "call"]
    with pytest.raises(WorkflowError):  # closed already: nothing is recorded
        changes.record_all_fine(req, anna, 2, close=True)
    db.session.rollback()
    assert len(changes.timeline(req.id)) == 2


def _booked_and_sent(req: HelpRequest, anna: StaffUser) -> tuple[int, int]:
    """A visit booked for tomorrow, one in the past, and a referral sent; returns the ids of
    the visit to come and of the referral."""
    now = changes.now_utc()
    demo.load_services()
    service = db.session.scalars(select(Service)).first()
    changes.book_visit(req, anna, 1, VisitData(now + timedelta(days=1), 60, "Kotikatu 1", [anna]))
    changes.book_visit(req, anna, 2, VisitData(now - timedelta(hours=1), 60, "Kotikatu 1", [anna]))
    changes.refer(req, anna, 3, service, "sent")
    changes.refer(req, anna, 4, service, "suggested")
    coming = next(v.id for v in changes.visits(req.id) if v.starts_at > now)
    return coming, changes.referrals(req.id)[0].id


def test_open_work_is_the_visits_to_come_and_the_referrals_awaiting_an_answer(req, anna) -> None:
    coming, sent = _booked_and_sent(req, anna)
    work = changes.open_work(req.id, changes.now_utc())
    assert [v.id for v in work.visits] == [coming]
    assert [r.id for r in work.referrals] == [sent]
    assert not changes.open_work(req.id, changes.now_utc() + timedelta(days=2)).visits


def test_closing_with_open_work_needs_it_seen_and_cancels_the_chosen_visits(req, anna) -> None:
    coming, _ = _booked_and_sent(req, anna)
    with pytest.raises(WorkflowError) as refused:  # the outcome is asked for first
        changes.change_status(req, anna, 5, "closed")
    assert refused.value.code == "outcome_required"
    db.session.rollback()
    with pytest.raises(WorkflowError) as refused:
        changes.change_status(req, anna, 5, "closed", "conversation_enough")
    assert refused.value.code == "open_work"
    db.session.rollback()
    assert req.status == "in_progress"
    changes.change_status(
        req, anna, 5, "closed", "conversation_enough", open_work_seen=True, cancel_visits=[coming]
    )
    assert req.status == "closed"
    assert {v.id: v.status for v in changes.visits(req.id)}[coming] == "cancelled"
    assert [e.kind for e in changes.timeline(req.id)][:2] == ["closed", "visit_cancelled"]
    assert changes.referrals(req.id)[0].status == "sent"  # not ticked: it keeps its status


def test_closing_can_end_the_referrals_awaiting_an_answer(req, anna) -> None:
    _, sent = _booked_and_sent(req, anna)
    changes.change_status(
        req, anna, 5, "closed", "referred_city", open_work_seen=True, end_referrals=[sent]
    )
    assert req.status == "closed" and changes.referrals(req.id)[0].status == "ended"
    entries = [(e.kind, e.value) for e in changes.timeline(req.id)][:2]
    assert entries == [("closed", "referred_city"), ("referral_status", "ended")]
    assert not changes.open_work(req.id, MONDAY + timedelta(days=1)).referrals


def test_only_a_referral_awaiting_an_answer_is_ended_when_closing(req, anna) -> None:
    _, sent = _booked_and_sent(req, anna)
    changes.set_referral_status(req, anna, 5, sent, "accepted")
    with pytest.raises(WorkflowError) as refused:
        changes.change_status(
            req, anna, 6, "closed", "referred_city", open_work_seen=True, end_referrals=[sent]
        )
    assert refused.value.code == "referral_not_open"


def test_a_visit_kept_when_closing_stays_planned(req, anna) -> None:
    coming, _ = _booked_and_sent(req, anna)
    changes.change_status(req, anna, 5, "closed", "other", open_work_seen=True)
    assert {v.id: v.status for v in changes.visits(req.id)}[coming] == "planned"


def test_closing_without_open_work_is_as_before(req, anna) -> None:
    changes.book_visit(
        req, anna, 1, VisitData(MONDAY + timedelta(days=3), 60, "Kotikatu 1", [anna])
    )
    visit = changes.visits(req.id)[0]
    changes.set_visit_status(req, anna, 2, visit.id, "cancelled")
    changes.change_status(req, anna, 3, "closed", "conversation_enough")
    assert req.status == "closed"


def test_the_quick_call_does_not_close_over_open_work(req, anna) -> None:
    _booked_and_sent(req, anna)
    with pytest.raises(WorkflowError) as refused:
        changes.record_all_fine(req, anna, 5, close=True)
    assert refused.value.code == "open_work"
    db.session.rollback()
    assert req.status == "in_progress" and req.call_attempts == 0
