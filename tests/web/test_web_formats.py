"""The template filters for dates and times: Finnish and Finland-Swedish forms ("17.11.2026 klo
12.12" / "17.11.2026 kl. 12.12") in Helsinki time, each pattern parsed once; numbers as
Flask-Babel gives them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime

from pyydaapua.intake.submission import NewRequest, submit
from pyydaapua.reporting.tables import month_name
from pyydaapua.web import i18n

# Around both changes of summer time in 2026, midnight in Helsinki, and a naive (UTC) moment.
MOMENTS = [
    datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    datetime(2026, 11, 30, 21, 59, tzinfo=UTC),
    datetime(2026, 11, 30, 22, 0, tzinfo=UTC),
    datetime(2026, 1, 5, 7, 3),
] + [datetime(2025, 1, 1, 3, 17, tzinfo=UTC) + timedelta(hours=37 * n) for n in range(300)]


# The whole pattern of each named form, as Flask-Babel would be given it.
PATTERNS = {
    "fi": {
        "short": "d.M.yyyy 'klo' H.mm",
        "medium": "d.M.yyyy 'klo' H.mm.ss",
        "long": "d. MMMM y 'klo' H.mm",
        "full": "cccc d. MMMM y 'klo' H.mm",
    },
    "sv": {
        "short": "d.M.yyyy 'kl.' H.mm",
        "medium": "d.M.yyyy 'kl.' H.mm.ss",
        "long": "d MMMM y 'kl.' H.mm",
        "full": "EEEE d MMMM y 'kl.' H.mm",
    },
}


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("form", ["full", "long", "medium", "short", "d.M.yyyy HH.mm"])
def test_datetime_text_equals_flask_babel_with_the_finnish_patterns(app, language, form) -> None:
    pattern = PATTERNS[language].get(form, form)
    with app.test_request_context("/"), force_locale(language):
        for moment in MOMENTS:
            assert i18n.datetime_text(moment, form) == format_datetime(moment, pattern), moment


@pytest.mark.parametrize(
    ("language", "form", "expected"),
    [
        ("fi", "short", "17.11.2026 klo 12.12"),
        ("sv", "short", "17.11.2026 kl. 12.12"),
        ("fi", "medium", "17.11.2026 klo 12.12.09"),
        ("sv", "medium", "17.11.2026 kl. 12.12.09"),
        ("fi", "long", "17. marraskuuta 2026 klo 12.12"),
        ("sv", "long", "17 november 2026 kl. 12.12"),
        ("fi", "full", "tiistai 17. marraskuuta 2026 klo 12.12"),
        ("sv", "full", "tisdag 17 november 2026 kl. 12.12"),
    ],
)
def test_date_and_time_as_written_in_finland(app, language, form, expected) -> None:
    moment = datetime(2026, 11, 17, 10, 12, 9, tzinfo=UTC)  # 12.12 in Helsinki (winter)
    with app.test_request_context("/"), force_locale(language):
        assert i18n.datetime_text(moment, form) == expected


@pytest.mark.parametrize(("language", "clock"), [("fi", "klo"), ("sv", "kl.")])
def test_time_has_a_dot_and_no_leading_zero_in_helsinki_time(app, language, clock) -> None:
    with app.test_request_context("/"), force_locale(language):
        summer = i18n.datetime_text(datetime(2026, 6, 1, 6, 5, tzinfo=UTC), "short")
        winter = i18n.datetime_text(datetime(2026, 1, 5, 7, 5, tzinfo=UTC), "short")
        midnight = i18n.datetime_text(datetime(2026, 11, 30, 22, 0, tzinfo=UTC), "short")
    assert summer == f"1.6.2026 {clock} 9.05"  # UTC+3
    assert winter == f"5.1.2026 {clock} 9.05"  # UTC+2
    assert midnight == f"1.12.2026 {clock} 0.00"  # the next day in Helsinki


@pytest.mark.parametrize(
    ("language", "long", "month", "short_month"),
    [
        ("fi", "tiistai 17. marraskuuta 2026", "marraskuu 2026", "marras 2026"),
        ("sv", "tisdag 17 november 2026", "november 2026", "nov. 2026"),
    ],
)
def test_dates_and_months_in_both_languages(app, language, long, month, short_month) -> None:
    with app.test_request_context("/"), force_locale(language):
        assert i18n.date_short(date(2026, 11, 17)) == "17.11.2026"
        assert i18n.date_short(date(2027, 1, 5)) == "5.1.2027"
        assert i18n.date_long(date(2026, 11, 17)) == long  # names from Babel
        assert month_name((2026, 11)) == month
        assert month_name((2026, 11), "LLL yyyy") == short_month


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_date_short_is_the_numeric_date(app, language) -> None:
    with app.test_request_context("/"), force_locale(language):
        for offset in range(0, 800, 7):
            day = date(2025, 1, 1) + timedelta(offset)
            assert i18n.date_short(day) == format_date(day, "d.M.yyyy")


@pytest.mark.parametrize(
    ("language", "received", "due"),
    [("sv", "17.11.2026 kl. 12.12", "20.11.2026"), ("fi", "17.11.2026 klo 12.12", "20.11.2026")],
)
def test_staff_pages_show_the_finnish_forms(app, staff_client, language, received, due) -> None:
    with app.app_context():
        request_id = submit(
            NewRequest(
                submission_key="f" * 32,
                language="sv",
                call_language="sv",
                phone="+358401234567",
                description="Vi behöver hjälp",
            ),
            now=datetime(2026, 11, 17, 10, 12, tzinfo=UTC),
        ).id
    client = staff_client("counsellor", language)
    page = client.get(f"/staff/requests/{request_id}").get_data(as_text=True)
    assert f">{received}</time>" in page
    assert "2026-11-17 12:12" not in page
    inbox = client.get("/staff/").get_data(as_text=True)
    assert f">{received}</time>" in inbox
    assert f">{due}</time>" in inbox


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_number_equals_flask_babel(app, language) -> None:
    from flask_babel import format_decimal

    with app.test_request_context("/"), force_locale(language):
        for value in (0, 7, 1234, 98765432, -4500, 2.5, 1234.75):
            assert i18n.number(value) == format_decimal(value), value


def test_wtforms_messages_come_from_a_catalogue_kept_per_language(app) -> None:
    from pyydaapua.web.forms import Form

    class Example(Form):
        pass

    with app.test_request_context("/"):
        with force_locale("fi"):
            form = Example()
            finnish = form.meta.get_translations(form)
            assert finnish.gettext("This field is required.") == "Pakollinen."
            assert Example().meta.get_translations(form) is finnish  # read once, kept
        with force_locale("sv"):
            swedish = form.meta.get_translations(form)
            assert swedish.gettext("This field is required.") == "Det här fältet är obligatoriskt."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fi", "keskiviikkona 9. joulukuuta 2026"),
        ("sv", "onsdagen den 9 december 2026"),
    ],
)
def test_a_due_day_reads_after_at_the_latest(app, language, expected) -> None:
    """ "viimeistään keskiviikkona 9. joulukuuta", "senast onsdagen den 9 december"."""
    with app.test_request_context(), force_locale(language):
        assert i18n.date_due(date(2026, 12, 9)) == expected
        week = [i18n.date_due(date(2026, 12, 7) + timedelta(days=n)) for n in range(7)]
    ends = ("na", "en den")[language == "sv"]
    assert all(ends in day for day in week), week


def test_the_confirmation_gives_the_due_day_after_at_the_latest(app, request_form) -> None:
    response = request_form.submit("sv", description="Hjälp")
    html = request_form.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Om ingen har ringt dig senast <time" in html
    assert re.search(r"senast <time datetime=\"[0-9-]+\">\w+agen den \d+ \w+ \d{4}</time>", html)
