"""Demo data: a few example requests, and synthetic ones in bulk for load and reports.

The synthetic requests follow the seasons the family centre sees: more about the couple
relationship after the summer holidays, more about school attendance near the end of terms.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy import text as sql_text

from pyydaapua.accounts import two_factor, users
from pyydaapua.accounts.permissions import Permission, roles_with
from pyydaapua.database import db
from pyydaapua.models import (
    Call,
    HelpRequest,
    HomeVisit,
    Referral,
    RequestTopic,
    Service,
    StaffUser,
    TimelineEvent,
    home_visit_staff,
)
from pyydaapua.rules import status_flow
from pyydaapua.rules.codes import CALL_TIMES, CHILD_AGES, TOPICS
from pyydaapua.rules.references import new_reference
from pyydaapua.rules.status_flow import CHECK_IN_SCALE
from pyydaapua.rules.workdays import callback_due_date, helsinki_date, month_number

EXAMPLE_PREFIX = "demo-example-"
BATCH = 5000

# (language, topics, child ages, description, name, phone, days ago)
EXAMPLES = [
    (
        "fi",
        ["school_attendance"],
        ["13-17"],
        "Yläkoululainen poikamme ei ole käynyt koulussa kahteen viikkoon. "
        "Emme tiedä, kenen puoleen kääntyä.",
        "",
        "+358401234501",
        0,
    ),
    (
        "fi",
        ["separation_custody", "parent_coping"],
        ["3-5", "6-12"],
        "Olemme eroamassa ja mietin, miten kerromme lapsille. Jaksan huonosti.",
        "Maija",
        "+358401234502",
        1,
    ),
    (
        "sv",
        ["moving", "services"],
        ["0-2"],
        "Vi har flyttat hit nyss och vet inte vilka tjänster det finns för småbarnsfamiljer.",
        "Anna",
        "+358401234503",
        2,
    ),
    (
        "fi",
        ["family_change", "child_wellbeing"],
        ["3-5"],
        "Vauva syntyi kuukausi sitten ja 4-vuotias on ollut tosi kiukkuinen.",
        "",
        "+358401234504",
        3,
    ),
    (
        "fi",
        ["neuropsychiatric"],
        ["6-12"],
        "Epäilemme, että lapsella voisi olla ADHD. Mistä saisimme tukea arkeen?",
        "Jari",
        "+358401234505",
        4,
    ),
    (
        "sv",
        ["couple_relationship"],
        [],
        "Vi bråkar mycket hemma och barnen märker det. Vart kan vi vända oss?",
        "",
        "+358401234506",
        6,
    ),
    (
        "fi",
        ["finances"],
        ["expecting", "0-2"],
        "Rahat eivät riitä vuokraan ja vauva on tulossa.",
        "",
        "+358401234507",
        8,
    ),
    ("fi", [], [], "", "", "+358401234508", 9),
    # Two families with no phone number to give: answered on the status page.
    (
        "fi",
        ["parent_coping"],
        ["6-12"],
        "En voi puhua puhelimessa kotona. Voisitteko vastata tänne?",
        "",
        "",
        1,
    ),
    (
        "sv",
        ["services"],
        ["3-5"],
        "Jag hör dåligt och skriver hellre. Vilket stöd finns för ensamstående?",
        "",
        "",
        2,
    ),
]
# An example family's answer on the status page (by the number of the example).
EXAMPLE_FAMILY_MESSAGES = {
    9: "Kiitos. Parhaiten minut tavoittaa täältä iltaisin.",
}


# Demo accounts, one per role, for trying the staff pages. Never for production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose, demo only
DEMO_USERS = [
    ("counsellor@example.fi", "Sanna Virtanen", "counsellor", "fi"),
    ("supervisor@example.fi", "Erik Lindqvist", "supervisor", "sv"),
    ("admin@example.fi", "Aino Korhonen", "admin", "fi"),
]


def load_demo_users() -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that do not exist yet, each with two-factor sign-in in use
    with a secret of its own (printed by seed-demo for an authenticator app or oathtool);
    returns all of them."""
    existing = set(db.session.scalars(select(StaffUser.email)))
    for email, name, role, language in DEMO_USERS:
        if email not in existing:
            user = users.create_user(email, name, role, DEMO_PASSWORD, language)
            user.totp_secret = two_factor.new_secret()
            user.totp_confirmed_at = datetime.now(UTC)
            db.session.commit()
    return DEMO_USERS


def demo_secrets() -> dict[str, str | None]:
    """The TOTP secret of each demo account (None: it enrols at the next sign-in, after an
    administrator's reset). Only the demo accounts: never anyone else's."""
    emails = [email for email, *_ in DEMO_USERS]
    accounts = db.session.scalars(select(StaffUser).where(StaffUser.email.in_(emails)))
    return {user.email: user.totp_secret if user.two_factor_enrolled else None for user in accounts}


# (Finnish name, Swedish name, provider type, provider, phone)
SERVICES = [
    ("Perheneuvola", "Familjerådgivningen", "wellbeing_county", "Hyvinvointialue", "08 100 1001"),
    (
        "Lapsiperheiden kotipalvelu",
        "Hemservice för barnfamiljer",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1002",
    ),
    (
        "Perhesosiaalityö",
        "Familjesocialarbete",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1003",
    ),
    (
        "Neuvolan perhetyö",
        "Rådgivningens familjearbete",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1004",
    ),
    (
        "Lasten ja nuorten psykiatrian poliklinikka",
        "Barn- och ungdomspsykiatriska polikliniken",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1005",
    ),
    ("Nepsy-valmennus", "NPF-coachning", "wellbeing_county", "Hyvinvointialue", "08 100 1006"),
    (
        "Sosiaalihuollon palvelutarpeen arviointi",
        "Bedömning av servicebehov inom socialvården",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1007",
    ),
    ("Lastenvalvoja", "Barnatillsyningsman", "wellbeing_county", "Hyvinvointialue", "08 100 1008"),
    (
        "Talous- ja velkaneuvonta",
        "Ekonomi- och skuldrådgivning",
        "wellbeing_county",
        "Hyvinvointialue",
        "08 100 1009",
    ),
    ("Koulukuraattori", "Skolkurator", "city", "Kaupungin sivistyspalvelut", "08 200 2001"),
    ("Koulupsykologi", "Skolpsykolog", "city", "Kaupungin sivistyspalvelut", "08 200 2002"),
    (
        "Varhaiskasvatuksen palveluohjaus",
        "Servicehandledning inom småbarnspedagogiken",
        "city",
        "Kaupungin sivistyspalvelut",
        "08 200 2003",
    ),
    (
        "Nuorisopalvelujen etsivä nuorisotyö",
        "Uppsökande ungdomsarbete",
        "city",
        "Kaupungin nuorisopalvelut",
        "08 200 2004",
    ),
    (
        "Perheiden liikunta- ja kulttuuripalvelut",
        "Idrotts- och kulturtjänster för familjer",
        "city",
        "Kaupungin kulttuuri- ja liikuntapalvelut",
        "08 200 2005",
    ),
    (
        "Kotoutumispalvelut",
        "Integrationstjänster",
        "city",
        "Kaupungin kotoutumispalvelut",
        "08 200 2006",
    ),
    (
        "Mannerheimin Lastensuojeluliiton vanhempainpuhelin",
        "MLL:s föräldratelefon",
        "third_sector",
        "MLL",
        "0800 92277",
    ),
    (
        "Ensi- ja turvakodin erotyö",
        "Skilsmässoarbete vid mödra- och skyddshem",
        "third_sector",
        "Ensi- ja turvakotien liitto",
        "09 4542 440",
    ),
    (
        "Väestöliiton parisuhdeneuvonta",
        "Befolkningsförbundets parrådgivning",
        "third_sector",
        "Väestöliitto",
        "09 2280 5100",
    ),
    (
        "Erityislasten vanhempien vertaistuki",
        "Kamratstöd för föräldrar till barn med särskilda behov",
        "third_sector",
        "Leijonaemot ry",
        "050 400 4000",
    ),
    (
        "Monikulttuuristen perheiden olohuone",
        "Vardagsrum för mångkulturella familjer",
        "third_sector",
        "Familia ry",
        "050 400 4001",
    ),
    (
        "Seurakunnan perheneuvonta",
        "Församlingens familjerådgivning",
        "third_sector",
        "Seurakuntayhtymä",
        "08 300 3001",
    ),
    ("Kriisikeskus", "Kriscentret", "third_sector", "Mieli ry", "09 2525 0111"),
]


def load_services() -> int:
    """Add the demo service catalogue unless there is one; returns how many were added."""
    if db.session.scalar(select(func.count()).select_from(Service)):
        return 0
    for name_fi, name_sv, provider_type, provider, phone in SERVICES:
        db.session.add(
            Service(
                name_fi=name_fi,
                name_sv=name_sv,
                provider_type=provider_type,
                provider=provider,
                phone=phone,
            )
        )
    db.session.commit()
    return len(SERVICES)


def load_examples(now: datetime | None = None) -> int:
    """Add the example requests unless they are already there; returns how many were added."""
    already = db.session.scalar(
        select(func.count()).where(HelpRequest.submission_key.like(EXAMPLE_PREFIX + "%"))
    )
    if already:
        return 0
    now = now or datetime.now(UTC)
    for number, (lang, topics, ages, text, name, phone, days_ago) in enumerate(EXAMPLES):
        submitted_at = now - timedelta(days=days_ago, hours=number)
        db.session.add(
            example := HelpRequest(
                reference=new_reference(),
                submission_key=f"{EXAMPLE_PREFIX}{number}",
                language=lang,
                call_language=lang,
                description=text,
                child_ages=",".join(ages),
                name=name,
                phone=phone,
                email="",
                # No phone number: the family is answered on the status page.
                contact_method="phone" if phone else "status_page",
                call_time="any",
                sms_ok=False,
                submitted_at=submitted_at,
                submitted_on=helsinki_date(submitted_at),
                submitted_month=month_number(helsinki_date(submitted_at)),
                due_date=callback_due_date(submitted_at),
                topics=[RequestTopic(topic=code) for code in topics],
            )
        )
        if number in EXAMPLE_FAMILY_MESSAGES:
            written_at = submitted_at + timedelta(hours=1)
            example.family_message_at = written_at
            db.session.flush()
            db.session.add(
                TimelineEvent(
                    request_id=example.id,
                    at=written_at,
                    kind="message_from_family",
                    note=EXAMPLE_FAMILY_MESSAGES[number],
                )
            )
    db.session.commit()
    return len(EXAMPLES)


# Relative monthly volume: a dip in the July holidays, a rise after them and in January.
MONTH_WEIGHTS = {
    1: 1.2,
    2: 1.1,
    3: 1.1,
    4: 1.0,
    5: 1.0,
    6: 0.8,
    7: 0.5,
    8: 1.3,
    9: 1.3,
    10: 1.1,
    11: 1.0,
    12: 0.8,
}
TOPIC_WEIGHTS = {
    "services": 3.0,
    "separation_custody": 1.5,
    "moving": 0.8,
    "parent_coping": 2.0,
    "child_wellbeing": 2.0,
    "neuropsychiatric": 1.2,
    "school_attendance": 0.8,
    "couple_relationship": 1.0,
    "family_change": 1.0,
    "finances": 1.0,
    "other": 0.7,
}
# More couple-relationship requests after the summer holidays, more school attendance
# near the end of the spring and autumn terms.
SEASONAL_BOOST = {
    "couple_relationship": {8: 3.0, 9: 2.5, 10: 1.5},
    "school_attendance": {4: 2.5, 5: 3.0, 11: 2.0, 12: 2.5},
}
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 6, 6, 7, 8, 9, 9, 6, 3]
DESCRIPTIONS = {
    "fi": [
        "Toivoisin, että joku soittaisi ja kertoisi, mistä saisimme apua.",
        "Arki on ollut raskasta, enkä tiedä, mikä palvelu sopisi meille.",
        "Lapsen kanssa on ollut vaikeita hetkiä. Haluaisin jutella jonkun kanssa.",
        "",
    ],
    "sv": [
        "Jag skulle vilja att någon ringer och berättar var vi kan få hjälp.",
        "Vardagen har varit tung och jag vet inte vilken tjänst som passar oss.",
        "",
    ],
}
SPAN_DAYS = 548  # about 18 months


def topic_weights(month: int) -> list[float]:
    """The relative chance of each topic (in TOPICS order) in a calendar month."""
    return [TOPIC_WEIGHTS[t] * SEASONAL_BOOST.get(t, {}).get(month, 1.0) for t in TOPICS]


_TOPIC_CUMULATIVE = {month: list(accumulate(topic_weights(month))) for month in range(1, 13)}
_HOUR_CUMULATIVE = list(accumulate(HOUR_WEIGHTS))


def _pick_topics(rng: random.Random, month: int) -> list[str]:
    how_many = rng.choices([0, 1, 2, 3], cum_weights=[20, 75, 95, 100])[0]
    cumulative = _TOPIC_CUMULATIVE[month]
    chosen: list[str] = []
    while len(chosen) < how_many:
        topic = rng.choices(TOPICS, cum_weights=cumulative)[0]
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def synthetic_rows(count: int, now: datetime, rng: random.Random) -> Iterator[dict]:
    """Rows for ``count`` synthetic help requests spread over the last 18 months."""
    days = [now - timedelta(days=offset) for offset in range(SPAN_DAYS)]
    day_weights = accumulate(
        MONTH_WEIGHTS[d.month] * (0.5 if d.weekday() >= 5 else 1.0) for d in days
    )
    cumulative = list(day_weights)
    for _ in range(count):
        day = rng.choices(days, cum_weights=cumulative)[0]
        moment = day.replace(
            hour=rng.choices(range(24), cum_weights=_HOUR_CUMULATIVE)[0],
            minute=rng.randrange(60),
            second=rng.randrange(60),
            microsecond=0,
        )
        if moment > now:
            moment -= timedelta(days=1)
        lang = "sv" if rng.random() < 0.12 else "fi"
        anonymous = rng.random() < 0.4
        yield {
            "submission_key": secrets.token_urlsafe(24),
            "language": lang,
            "call_language": lang if rng.random() < 0.95 else ("fi" if lang == "sv" else "sv"),
            "description": rng.choice(DESCRIPTIONS[lang]),
            "child_ages": ",".join(
                sorted(rng.sample(CHILD_AGES, rng.choice([0, 1, 1, 2])), key=CHILD_AGES.index)
            ),
            "name": "" if anonymous else rng.choice(["Anna", "Mikko", "Sanna", "Erik", "Aino"]),
            "phone": f"+35840{rng.randrange(10**7):07d}",
            "email": "",
            "call_time": rng.choice(CALL_TIMES),
            "sms_ok": rng.random() < 0.3,
            "submitted_at": moment,
            "submitted_on": helsinki_date(moment),
            "submitted_month": month_number(helsinki_date(moment)),
            "due_date": callback_due_date(moment),
            "topics": _pick_topics(rng, moment.month),
        }


OUTCOME_WEIGHTS = {
    "conversation_enough": 45,
    "referred_city": 10,
    "referred_third_sector": 9,
    "referred_wellbeing_county": 11,
    "continues_with_counsellor": 12,
    "other": 5,
}
REFERRAL_TYPE = {
    "referred_city": "city",
    "referred_third_sector": "third_sector",
    "referred_wellbeing_county": "wellbeing_county",
}


@dataclass
class Casework:
    """What happened to one synthetic request, before the database gives it ids."""

    calls: list[dict] = field(default_factory=list)
    visit: dict | None = None
    referral: dict | None = None
    closed: dict | None = None


def synthetic_casework(
    row: dict, now: datetime, rng: random.Random, staff_ids: list[int], services: dict
) -> Casework:
    """Calls, a visit, a referral and an outcome for ``row``, as a counsellor would record
    them; updates the request's own columns (owner, status, first contact…)."""
    work = Casework()
    submitted = row["submitted_at"]
    # Every row has every key, so the rows insert in multi-row statements.
    row.update(
        status="new",
        assigned_to_id=None,
        call_attempts=0,
        first_contact_at=None,
        first_contact_on_time=None,
        first_contact_workdays=None,
        outcome=None,
        closed_at=None,
        version=1,
        updated_at=None,
        updated_by_id=None,
    )
    if not staff_ids or now - submitted < timedelta(hours=rng.uniform(2, 60)):
        return work  # still new
    owner = rng.choice(staff_ids)
    row["assigned_to_id"] = owner
    moment = submitted + timedelta(hours=rng.triangular(0.5, 96, 18))
    reached_at = None
    for attempt in range(rng.choices([1, 2, 3], weights=[70, 22, 8])[0]):
        if moment >= now:
            break
        reached = rng.random() < (0.93 if attempt else 0.75)
        call = {
            "called_at": moment,
            "result": "reached"
            if reached
            else rng.choice(["no_answer", "left_message", "sms_sent"]),
            "user_id": owner,
        }
        if reached:
            call |= {
                "duration_minutes": rng.randint(5, 50),
                "coping": rng.choice(CHECK_IN_SCALE),
                "finances": rng.choice(CHECK_IN_SCALE),
                "daily_life": rng.choice(CHECK_IN_SCALE),
            }
        work.calls.append(call)
        if reached:
            reached_at = moment
            break
        moment += timedelta(hours=rng.uniform(3, 30))
    row["call_attempts"] = len(work.calls)
    row["status"] = "in_progress"
    last = work.calls[-1]["called_at"] if work.calls else submitted
    if reached_at is not None:
        row["first_contact_at"] = reached_at
        row["first_contact_on_time"] = status_flow.first_contact_on_time(
            reached_at, row["due_date"]
        )
        row["first_contact_workdays"] = status_flow.working_days_to_contact(submitted, reached_at)
        if rng.random() < 0.08:
            starts = reached_at + timedelta(days=rng.uniform(2, 10))
            work.visit = {
                "starts_at": starts,
                "address": "Esimerkkikatu 1",
                "user_id": owner,
                "status": "planned"
                if starts >= now
                else ("cancelled" if rng.random() < 0.15 else "done"),
            }
    if now - last > timedelta(days=14) and rng.random() < 0.95:
        outcome = (
            "not_reached"
            if reached_at is None
            else rng.choices(list(OUTCOME_WEIGHTS), weights=list(OUTCOME_WEIGHTS.values()))[0]
        )
        closed_at = min(now, last + timedelta(days=rng.uniform(0.1, 10)))
        if outcome in REFERRAL_TYPE:
            work.referral = {
                "service_id": rng.choice(services[REFERRAL_TYPE[outcome]]),
                "status": rng.choice(["sent", "accepted", "accepted", "declined"]),
                "at": closed_at,
                "user_id": owner,
            }
        row.update(status="closed", outcome=outcome, closed_at=closed_at)
        work.closed = {"at": closed_at, "value": outcome, "user_id": owner}
    elif reached_at is not None and rng.random() < 0.3:
        row["status"] = "waiting"
    row["version"] = (
        1 + len(work.calls) + bool(work.visit) + bool(work.referral) + bool(work.closed)
    )
    row["updated_at"] = work.closed["at"] if work.closed else last
    row["updated_by_id"] = owner
    return work


def has_synthetic_requests() -> bool:
    """True when the database has requests other than the examples."""
    return (
        db.session.scalar(
            select(HelpRequest.id)
            .where(HelpRequest.submission_key.not_like(f"{EXAMPLE_PREFIX}%"))
            .limit(1)
        )
        is not None
    )


def add_synthetic_requests(
    count: int, seed: int | None = None, now: datetime | None = None
) -> None:
    """Insert ``count`` synthetic requests in batches, with their topics and casework."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or datetime.now(UTC)
    taken = set(db.session.scalars(select(HelpRequest.reference)))
    staff_ids = list(
        db.session.scalars(
            select(StaffUser.id).where(
                StaffUser.role.in_(roles_with(Permission.WORK_REQUESTS)), StaffUser.active.is_(True)
            )
        )
    )
    services: dict[str, list[int]] = {kind: [] for kind in REFERRAL_TYPE.values()}
    for service_id, kind in db.session.execute(select(Service.id, Service.provider_type)):
        services[kind].append(service_id)
    if not all(services.values()):
        staff_ids = []  # no catalogue to refer to: leave the requests new
    batch: list[tuple[dict, Casework]] = []
    ids_of = _Ids()
    for row in synthetic_rows(count, now, rng):
        reference = new_reference()
        while reference in taken:
            reference = new_reference()
        taken.add(reference)
        row["reference"] = reference
        batch.append((row, synthetic_casework(row, now, rng, staff_ids, services)))
        if len(batch) == BATCH:
            _insert(batch, ids_of)
            batch = []
    if batch:
        _insert(batch, ids_of)
    ids_of.finish()
    db.session.commit()
    db.session.execute(sql_text("ANALYZE"))  # fresh statistics for the query planner
    db.session.commit()


class _Ids:
    """Hands out primary keys for bulk inserts, so no row needs a RETURNING round trip."""

    def __init__(self) -> None:
        self.next: dict[type[Any], int] = {}

    def take(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        if model not in self.next:
            self.next[model] = (db.session.scalar(select(func.max(model.id))) or 0) + 1
        first = self.next[model]
        self.next[model] = first + len(rows)
        ids = list(range(first, first + len(rows)))
        for row, row_id in zip(rows, ids, strict=True):
            row["id"] = row_id
        if rows:
            db.session.execute(insert(model), rows)
        return ids

    def finish(self) -> None:
        """PostgreSQL's sequences must continue after the ids handed out here."""
        if db.session.get_bind().dialect.name != "postgresql":
            return
        for model in self.next:
            table = model.__tablename__
            db.session.execute(
                sql_text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )


def _insert(batch: list[tuple[dict, Casework]], ids_of: _Ids) -> None:
    """Insert a batch with a handful of multi-row statements, whatever its size."""
    topics = [row.pop("topics") for row, _ in batch]
    ids = ids_of.take(HelpRequest, [row for row, _ in batch])
    topic_rows = [
        {"request_id": request_id, "topic": topic}
        for request_id, chosen in zip(ids, topics, strict=True)
        for topic in chosen
    ]
    if topic_rows:
        db.session.execute(insert(RequestTopic), topic_rows)

    calls, visits, referrals, events = [], [], [], []
    for request_id, (_, work) in zip(ids, batch, strict=True):
        for call in work.calls:
            calls.append((request_id, call))
        if work.visit:
            visits.append((request_id, work.visit))
        if work.referral:
            referrals.append((request_id, work.referral))
        if work.closed:
            events.append(
                {
                    "request_id": request_id,
                    "at": work.closed["at"],
                    "kind": "closed",
                    "value": work.closed["value"],
                    "user_id": work.closed["user_id"],
                }
            )

    call_ids = ids_of.take(
        Call,
        [
            {"request_id": rid, **{k: v for k, v in call.items() if k != "user_id"}}
            for rid, call in calls
        ],
    )
    events += [
        {
            "request_id": rid,
            "at": call["called_at"],
            "kind": "call",
            "value": call["result"],
            "user_id": call["user_id"],
            "call_id": call_id,
        }
        for (rid, call), call_id in zip(calls, call_ids, strict=True)
    ]
    visit_ids = ids_of.take(
        HomeVisit,
        [
            {
                "request_id": rid,
                "starts_at": v["starts_at"],
                "duration_minutes": 60,
                "address": v["address"],
                "status": v["status"],
            }
            for rid, v in visits
        ],
    )
    if visit_ids:
        db.session.execute(
            insert(home_visit_staff),
            [
                {"visit_id": visit_id, "user_id": v["user_id"]}
                for (_, v), visit_id in zip(visits, visit_ids, strict=True)
            ],
        )
    events += [
        {
            "request_id": rid,
            "at": v["starts_at"] - timedelta(days=2),
            "kind": "visit_booked",
            "value": "",
            "user_id": v["user_id"],
            "visit_id": visit_id,
        }
        for (rid, v), visit_id in zip(visits, visit_ids, strict=True)
    ]
    referral_ids = ids_of.take(
        Referral,
        [
            {"request_id": rid, "service_id": r["service_id"], "status": r["status"]}
            for rid, r in referrals
        ],
    )
    events += [
        {
            "request_id": rid,
            "at": r["at"],
            "kind": "referral",
            "value": r["status"],
            "user_id": r["user_id"],
            "referral_id": referral_id,
        }
        for (rid, r), referral_id in zip(referrals, referral_ids, strict=True)
    ]
    if events:
        db.session.execute(insert(TimelineEvent), events)
