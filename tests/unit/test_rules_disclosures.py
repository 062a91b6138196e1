"""The family's consent on a referral and what a disclosure records (rules/disclosures.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from pyydaapua.rules import disclosures
from pyydaapua.rules.codes import CONSENTS, DISCLOSURE_CATEGORIES
from pyydaapua.rules.status_flow import WorkflowError


def codes(consent, categories, recipient="Perheneuvola") -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in disclosures.problems(consent, categories, recipient)]


def test_consent_given_with_categories_and_a_recipient_is_accepted() -> None:
    assert codes("given", ["contact", "children"]) == []
    disclosures.check("given", ["contact"], "Perheneuvola – tiimi 2")


@pytest.mark.parametrize("consent", ["self", "declined"])
def test_nothing_passed_on_names_no_category(consent) -> None:
    assert codes(consent, []) == []
    assert codes(consent, [], recipient="") == []  # no recipient needed either
    assert codes(consent, ["contact"]) == [("nothing_passed_on", "categories")]
    with pytest.raises(WorkflowError) as refused:
        disclosures.check(consent, ["request", "calls"], "Perheneuvola")
    assert refused.value.code == "nothing_passed_on"


def test_consent_given_needs_a_category_and_a_recipient() -> None:
    assert codes("given", []) == [("disclosure_without_categories", "categories")]
    assert codes("given", ["contact"], recipient=" ") == [
        ("disclosure_without_recipient", "recipient_unit")
    ]
    assert codes("given", [], recipient="") == [
        ("disclosure_without_categories", "categories"),
        ("disclosure_without_recipient", "recipient_unit"),
    ]


@pytest.mark.parametrize("consent", [None, "", "yes", "GIVEN"])
def test_consent_is_one_of_the_codes(consent) -> None:
    assert codes(consent, ["contact"]) == [("consent_required", "consent")]


def test_an_unknown_category_is_refused() -> None:
    assert codes("given", ["contact", "diagnosis"]) == [("category_unknown", "categories")]


def test_the_codes() -> None:
    assert CONSENTS == ("given", "self", "declined")
    assert disclosures.PASSED_ON in CONSENTS
    # Every category at once still fits a timeline entry's value (String(40)).
    assert len(disclosures.join_categories(DISCLOSURE_CATEGORIES)) <= 40


def test_categories_are_stored_once_each_in_the_lists_order() -> None:
    stored = disclosures.join_categories(["children", "contact", "children"])
    assert stored == "contact,children"
    assert disclosures.split_categories(stored) == ["contact", "children"]
    assert disclosures.split_categories("") == []


def test_the_recipient_is_the_service_and_the_unit_when_named() -> None:
    assert disclosures.recipient_text("Perheneuvola", "") == "Perheneuvola"
    assert disclosures.recipient_text("Perheneuvola", " tiimi 2 ") == "Perheneuvola – tiimi 2"


ARRIVED = datetime(2026, 3, 2, 9, 30, 40, tzinfo=UTC)
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_a_disclosure_lies_between_the_request_and_now() -> None:
    disclosures.check_time(ARRIVED.replace(second=0), ARRIVED, NOW)  # typed to the minute
    disclosures.check_time(NOW + timedelta(minutes=4), ARRIVED, NOW)  # a clock running fast
    with pytest.raises(WorkflowError) as early:
        disclosures.check_time(ARRIVED - timedelta(minutes=1), ARRIVED, NOW)
    assert (early.value.code, early.value.field) == ("disclosure_before_request", "disclosed_at")
    with pytest.raises(WorkflowError) as later:
        disclosures.check_time(NOW + timedelta(hours=1), ARRIVED, NOW)
    assert (later.value.code, later.value.field) == ("disclosure_in_future", "disclosed_at")
