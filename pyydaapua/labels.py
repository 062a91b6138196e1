"""The words people see for the stored codes, in the viewer's language."""

from __future__ import annotations

from babel import Locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from .models import LANGUAGES

TOPIC_LABELS = {
    "services": _l("Which services there are and how to apply for them"),
    "separation_custody": _l("Separation, divorce or custody"),
    "moving": _l("Moving to a new town"),
    "parent_coping": _l("My own coping as a parent"),
    "child_wellbeing": _l("My child's feelings, mental wellbeing or behaviour"),
    "neuropsychiatric": _l("Neuropsychiatric challenges"),
    "school_attendance": _l("School attendance"),
    "couple_relationship": _l("Our couple relationship"),
    "family_change": _l("A new sibling or another change in the family"),
    "finances": _l("Family finances"),
    "other": _l("Something else"),
}

CHILD_AGE_LABELS = {
    "expecting": _l("Expecting a baby"),
    "0-2": _l("0–2 years"),
    "3-5": _l("3–5 years"),
    "6-12": _l("6–12 years"),
    "13-17": _l("13–17 years"),
}

CALL_TIME_LABELS = {
    "any": _l("Any time"),
    "morning": _l("Morning (8–12)"),
    "afternoon": _l("Afternoon (12–16)"),
}

YES_NO_LABELS = {"yes": _l("Yes"), "no": _l("No")}


def language_choices() -> list[SelectChoice]:
    """The languages, each named in itself ("suomi", "svenska")."""
    return [SelectChoice(code, Locale.parse(code).get_display_name(code)) for code in LANGUAGES]


ROLE_LABELS = {
    "counsellor": _l("Service counsellor"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}


def template_labels() -> dict[str, object]:
    """The label tables, for templates."""
    return {
        "topic_labels": TOPIC_LABELS,
        "role_labels": ROLE_LABELS,
        "language_names": {choice.value: choice.label for choice in language_choices()},
    }
