"""The template filters for dates and times give what Flask-Babel gives, in both languages,
while parsing each pattern once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale, format_date, format_datetime

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


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize("form", ["full", "long", "medium", "short", "d.M.yyyy HH.mm"])
def test_datetime_text_equals_flask_babel(app, language, form) -> None:
    with app.test_request_context("/"), force_locale(language):
        for moment in MOMENTS:
            assert i18n.datetime_text(moment, form) == format_datetime(moment, form), moment


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_date_short_equals_flask_babel(app, language) -> None:
    with app.test_request_context("/"), force_locale(language):
        for offset in range(0, 800, 7):
            day = date(2025, 1, 1) + timedelta(offset)
            assert i18n.date_short(day) == format_date(day, "medium")
    with app.test_request_context("/"), force_locale("fi"):
        finnish = i18n.date_short(date(2026, 11, 26))
    with app.test_request_context("/"), force_locale("sv"):
        assert i18n.date_short(date(2026, 11, 26)) != finnish  # cached per language


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
