"""Demo data: a few example requests, and synthetic ones in bulk for load and reports.

The synthetic requests follow the seasons the family centre sees: more about the couple
relationship after the summer holidays, more about school attendance near the end of terms.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from . import staff_accounts
from .extensions import db
from .models import (
    CALL_TIMES,
    CHILD_AGES,
    TOPICS,
    HelpRequest,
    RequestTopic,
    Service,
    StaffUser,
)
from .references import new_reference
from .workdays import callback_due_date

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
]


# Demo accounts, one per role, for trying the staff pages. Never for production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose, demo only
DEMO_USERS = [
    ("counsellor@example.fi", "Sanna Virtanen", "counsellor", "fi"),
    ("supervisor@example.fi", "Erik Lindqvist", "supervisor", "sv"),
    ("admin@example.fi", "Aino Korhonen", "admin", "fi"),
]


def load_demo_users() -> list[tuple[str, str, str, str]]:
    """Create the demo accounts that do not exist yet; returns all of them."""
    existing = set(db.session.scalars(select(StaffUser.email)))
    for email, name, role, language in DEMO_USERS:
        if email not in existing:
            staff_accounts.create_user(email, name, role, DEMO_PASSWORD, language)
    return DEMO_USERS


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
            HelpRequest(
                reference=new_reference(),
                submission_key=f"{EXAMPLE_PREFIX}{number}",
                language=lang,
                call_language=lang,
                description=text,
                child_ages=",".join(ages),
                name=name,
                phone=phone,
                email="",
                call_time="any",
                sms_ok=False,
                submitted_at=submitted_at,
                due_date=callback_due_date(submitted_at),
                topics=[RequestTopic(topic=code) for code in topics],
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


def _pick_topics(rng: random.Random, month: int) -> list[str]:
    how_many = rng.choices([0, 1, 2, 3], weights=[20, 55, 20, 5])[0]
    weights = topic_weights(month)
    chosen: list[str] = []
    while len(chosen) < how_many:
        topic = rng.choices(TOPICS, weights=weights)[0]
        if topic not in chosen:
            chosen.append(topic)
    return chosen


def synthetic_rows(count: int, now: datetime, rng: random.Random) -> Iterator[dict]:
    """Rows for ``count`` synthetic help requests spread over the last 18 months."""
    days = [now - timedelta(days=offset) for offset in range(SPAN_DAYS)]
    day_weights = [MONTH_WEIGHTS[d.month] * (0.5 if d.weekday() >= 5 else 1.0) for d in days]
    for _ in range(count):
        day = rng.choices(days, weights=day_weights)[0]
        moment = day.replace(
            hour=rng.choices(range(24), weights=HOUR_WEIGHTS)[0],
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
            "due_date": callback_due_date(moment),
            "topics": _pick_topics(rng, moment.month),
        }


def add_synthetic_requests(
    count: int, seed: int | None = None, now: datetime | None = None
) -> None:
    """Insert ``count`` synthetic requests in batches, with their topics."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    now = now or datetime.now(UTC)
    taken = set(db.session.scalars(select(HelpRequest.reference)))
    batch: list[dict] = []
    for row in synthetic_rows(count, now, rng):
        reference = new_reference()
        while reference in taken:
            reference = new_reference()
        taken.add(reference)
        row["reference"] = reference
        batch.append(row)
        if len(batch) == BATCH:
            _insert(batch)
            batch = []
    if batch:
        _insert(batch)
    db.session.commit()


def _insert(rows: list[dict]) -> None:
    topics = [row.pop("topics") for row in rows]
    ids = db.session.scalars(
        insert(HelpRequest).returning(HelpRequest.id, sort_by_parameter_order=True), rows
    ).all()
    topic_rows = [
        {"request_id": request_id, "topic": topic}
        for request_id, chosen in zip(ids, topics, strict=True)
        for topic in chosen
    ]
    if topic_rows:
        db.session.execute(insert(RequestTopic), topic_rows)
