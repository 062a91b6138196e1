"""The codes stored in the database (topics, ages, languages, roles, outbox states …): the
values every rule, form and label is checked against. Their labels in both languages are in
``pyydaapua/web/labels.py``."""

from __future__ import annotations

TOPICS = (
    "services",
    "separation_custody",
    "moving",
    "parent_coping",
    "child_wellbeing",
    "neuropsychiatric",
    "school_attendance",
    "couple_relationship",
    "family_change",
    "finances",
    "other",
)
CHILD_AGES = ("expecting", "0-2", "3-5", "6-12", "13-17")
CALL_TIMES = ("any", "morning", "afternoon")
LANGUAGES = ("fi", "sv")
CONTACT_METHODS = ("phone", "status_page")

# A referral's record of the family's consent to passing their information to the service
# (rules/disclosures.py): given in the call (information is passed on and logged), the family
# contacts the service themselves, or declined (nothing is passed on in either).
CONSENTS = ("given", "self", "declined")
# What may be passed on with the family's consent: the categories a disclosure log entry names
# (never the information itself). Comma-joined they fit a timeline entry's value (40).
DISCLOSURE_CATEGORIES = ("contact", "request", "calls", "children", "coping")

# What each role may do is in pyydaapua/accounts/permissions.py.
ROLES = ("counsellor", "supervisor", "admin")
# On what basis each role reads a request it does not own (rules/access_basis.py).
ROLE_ACCESS_BASIS = {"counsellor": "team", "supervisor": "supervision", "admin": "administration"}
# A person whose groups at the identity provider map to several roles gets the first of these:
# the admin role comes last, as it manages accounts and never sees a request.
SSO_ROLE_PRECEDENCE = ("supervisor", "counsellor", "admin")

# An outbox message goes pending → sending → sent, or ends failed with the reason, or
# uncertain: the mail server may have taken it but its answer was lost (a person checks).
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "uncertain")
# The messages a supervisor is shown: not delivered, and not to be sent again on their own.
OUTBOX_NEEDS_A_PERSON = ("failed", "uncertain")
