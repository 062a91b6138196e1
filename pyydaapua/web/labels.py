"""The words people see for the stored codes, in the viewer's language."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

from pyydaapua.rules.codes import LANGUAGES

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

CONTACT_METHOD_LABELS = {
    "phone": _l("Call me"),
    "status_page": _l("Answer me here; I will check"),
}


def choices(labels: dict) -> list[SelectChoice]:
    """Form choices from a table of codes and their labels."""
    return [SelectChoice(value, label) for value, label in labels.items()]


def language_choices() -> list[SelectChoice]:
    """The languages, each named in itself ("suomi", "svenska")."""
    return [SelectChoice(code, name) for code, name in _language_names()]


@lru_cache(maxsize=1)
def _language_names() -> tuple[tuple[str, str], ...]:
    return tuple((code, Locale.parse(code).get_display_name(code) or code) for code in LANGUAGES)


ROLE_LABELS = {
    "counsellor": _l("Service counsellor"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Administrator"),
}

# On what basis a request was read or changed (rules/access_basis.py BASES).
ACCESS_BASIS_LABELS = {
    "own": _l("own request"),
    "team": _l("team duty (the shared inbox)"),
    "supervision": _l("supervision"),
    "data_rights": _l("the family's own request for their data"),
    "administration": _l("administration"),
}


STATUS_LABELS = {
    "new": _l("New"),
    "in_progress": _l("In progress"),
    "waiting": _l("Waiting"),
    "closed": _l("Closed"),
}

OUTCOME_LABELS = {
    "conversation_enough": _l("The conversation was enough"),
    "referred_city": _l("Referred to a city service"),
    "referred_third_sector": _l("Referred to a third-sector service"),
    "referred_wellbeing_county": _l("Referred to the wellbeing services county"),
    "continues_with_counsellor": _l("Continues with the counsellor"),
    "not_reached": _l("Could not be reached"),
    "other": _l("Other"),
}

CALL_RESULT_LABELS = {
    "reached": _l("Reached"),
    "no_answer": _l("No answer"),
    "left_message": _l("Left a message"),
    "sms_sent": _l("Text message sent"),
}

CHECK_IN_LABELS = {
    "coping": _l("How is the family coping?"),
    "finances": _l("How are the finances?"),
    "daily_life": _l("How is daily life going?"),
}

SCALE_LABELS = {
    "fine": _l("Fine"),
    "some_worries": _l("Some worries"),
    "serious_worries": _l("Serious worries"),
}

VISIT_STATUS_LABELS = {
    "planned": _l("Planned"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
}

REFERRAL_STATUS_LABELS = {
    "suggested": _l("Suggested to the family"),
    "sent": _l("Sent"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "ended": _l("Ended without an answer"),
}

# The family's consent to passing their information on, as the referral form asks it.
CONSENT_LABELS = {
    "given": _l("Consent given in the call: information is passed to the service"),
    "self": _l("The family contacts the service themselves: nothing is passed on"),
    "declined": _l("The family did not want their information passed on: nothing is passed on"),
}
# The same in the reports' rows (with the referrals recorded before consent was asked).
CONSENT_SHORT_LABELS = {
    "given": _l("Consent given, information passed on"),
    "self": _l("The family contacts the service themselves"),
    "declined": _l("Declined, nothing passed on"),
    "": _l("Consent not recorded"),
}

# What was passed on (the disclosure log names the categories, never the information).
DISCLOSURE_CATEGORY_LABELS = {
    "contact": _l("Contact details: name, phone number, e-mail"),
    "request": _l("The family's request: its topics and what they wrote"),
    "calls": _l("The situation as told in the calls and visits"),
    "children": _l("The children's ages"),
    "coping": _l("How the family is coping: coping, finances, daily life"),
}

# On what basis information was passed on (a disclosure's basis: the consent code).
DISCLOSURE_BASIS_LABELS = {"given": _l("The family's consent, given in the call")}

PROVIDER_TYPE_LABELS = {
    "city": _l("City service"),
    "third_sector": _l("Third sector"),
    "wellbeing_county": _l("Wellbeing services county"),
}


# The labels of the audit events recorded outside casework (audit.EVENTS). Each casework
# action declares its own event's label in the registry (pyydaapua/casework/actions.py);
# data_rights/audit_trail.py reads both.
EVENT_LABELS = {
    "sign_in": _l("signed in"),
    "sign_in_failed": _l("failed to sign in"),
    "sso_refused": _l("was refused after signing in with the city's account"),
    "sso_logout_refused": _l("sign-out notice from the city's sign-in service refused"),
    "sign_out_by_provider": _l("signed out by the city's sign-in service"),
    "sign_out": _l("signed out"),
    "session_extended": _l("chose to stay signed in"),
    "access_refused": _l("was refused access"),
    "language_changed": _l("changed the language of the staff pages"),
    "reports_viewed": _l("viewed the reports"),
    "report_downloaded": _l("downloaded a report table"),
    "request_viewed": _l("opened the request"),
    "request_viewed_refused": _l("saw the request again when a change was not saved"),
    "request_listed": _l("saw the request in the inbox"),
    "request_found_reference": _l("saw the request in search results (reference)"),
    "request_found_phone": _l("saw the request in search results (phone number)"),
    "request_found_words": _l("saw the request in search results (name or words)"),
    "search_no_results": _l("searched the inbox and nothing was found"),
    "request_exported": _l("exported everything stored about the request"),
    "audit_log_viewed": _l("viewed the audit log"),
    "log_review_viewed": _l("viewed the log review"),
    "access_log_viewed": _l("viewed who has handled the request"),
    "information_disclosed": _l("passed the family's information on to a service"),
    "retention_dry_run": _l("checked which closed requests are due for personal data removal"),
    "retention_run": _l("removed the personal data of closed requests"),
    "user_created": _l("created a staff account"),
    "user_changed": _l("changed a staff account"),
    "user_deactivated": _l("deactivated a staff account"),
    "user_reactivated": _l("reactivated a staff account"),
    "password_set": _l("set a new password for a staff account"),
    "password_changed": _l("changed their own password"),
    "service_created": _l("added a service to the catalogue"),
    "service_changed": _l("changed a service in the catalogue"),
    "sign_in_code_failed": _l("typed a wrong verification code"),
    "two_factor_enrolled": _l("took two-factor sign-in into use"),
    "recovery_code_used": _l("signed in with a recovery code"),
    "two_factor_reset": _l("reset the two-factor sign-in of a staff account"),
    "mail_problems_viewed": _l("viewed the undelivered e-mail"),
    "mail_sent_again": _l("sent an undelivered e-mail again"),
}


FILTER_LABELS = {"open": _l("Open"), "all": _l("All")}
OWNER_LABELS = {"all": _l("Everyone's"), "mine": _l("Mine"), "unassigned": _l("Unassigned")}


def template_labels() -> dict[str, object]:
    """The label tables, for templates, as plain text in the page's language."""
    return _labels_in(str(get_locale()))


@lru_cache(maxsize=8)
def _labels_in(locale: str) -> dict[str, object]:
    """Every label table translated once per language, not at every use: called while
    ``locale`` is the page's language, and kept."""
    tables: dict[str, Mapping[str, object]] = {
        "topic_labels": TOPIC_LABELS,
        "child_age_labels": CHILD_AGE_LABELS,
        "call_time_labels": CALL_TIME_LABELS,
        "role_labels": ROLE_LABELS,
        "access_basis_labels": ACCESS_BASIS_LABELS,
        "status_labels": STATUS_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "call_result_labels": CALL_RESULT_LABELS,
        "check_in_labels": CHECK_IN_LABELS,
        "scale_labels": SCALE_LABELS,
        "visit_status_labels": VISIT_STATUS_LABELS,
        "referral_status_labels": REFERRAL_STATUS_LABELS,
        "provider_type_labels": PROVIDER_TYPE_LABELS,
        "consent_labels": CONSENT_LABELS,
        "disclosure_category_labels": DISCLOSURE_CATEGORY_LABELS,
        "disclosure_basis_labels": DISCLOSURE_BASIS_LABELS,
        "filter_labels": FILTER_LABELS,
        "owner_labels": OWNER_LABELS,
        "language_names": {choice.value: choice.label for choice in language_choices()},
    }
    return {
        name: {code: str(label) for code, label in table.items()} for name, table in tables.items()
    }
