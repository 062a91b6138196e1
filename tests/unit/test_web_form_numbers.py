"""The number rule of every form (``pyydaapua.web.forms``): ``form_integer`` and ``form_id``
take only a decimal number that an INTEGER column holds, and ``Form`` binds the rule to every
integer field and every choice of ids of the app's forms."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectChoice, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import InputRequired, NumberRange, Optional

from pyydaapua import models
from pyydaapua.web.forms import (
    INTEGER_MAX,
    INTEGER_MIN,
    Form,
    MultipleChoiceField,
    form_id,
    form_integer,
    number_kind,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (" 42 ", 42),
        ("-7", -7),
        ("007", 7),
        (str(2**31 - 1), 2**31 - 1),
        (str(-(2**31)), -(2**31)),
        ("", None),
        ("  ", None),
        (None, None),
        (12, 12),
    ],
)
def test_form_integer_takes_a_number_an_integer_column_holds(value, expected) -> None:
    assert form_integer(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        str(2**31),
        str(-(2**31) - 1),
        "9" * 400,
        "-" + "9" * 400,
        "9" * 5000,
        "+5",
        "1_000",
        "1e3",
        "0x1f",
        "5.0",
        "١٢",
        "--1",
        "1 2",
        "NaN",
        "abc",
        2**31,
        True,
        1.5,
    ],
)
def test_form_integer_refuses_anything_else(value) -> None:
    with pytest.raises(ValueError):
        form_integer(value)


def test_form_id_starts_from_zero() -> None:
    assert form_id("0") == 0
    assert form_id(str(INTEGER_MAX)) == INTEGER_MAX
    assert form_id("") is None
    for value in ("-1", str(2**31), "9" * 400):
        with pytest.raises(ValueError):
            form_id(value)


class Sample(Form):
    class Meta:
        csrf = False

    minutes = IntegerField(validators=[Optional(), NumberRange(1, 600, "From 1 to 600.")])
    count = IntegerField(validators=[InputRequired("Enter the count."), NumberRange(0, 10)])
    people = MultipleChoiceField(choices=[SelectChoice(1, "A"), SelectChoice(2, "B")], coerce=int)
    service = SelectField(choices=[SelectChoice("", "-"), SelectChoice(3, "C")], coerce=int)
    topics = SelectMultipleField(choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])


def sample(app, lang: str = "fi", **fields: object) -> Sample:
    data = {"minutes": "20", "count": "1", "people": "1", "service": "3", **fields}
    with app.test_request_context("/fi/"), force_locale(lang):
        form = Sample(formdata=MultiDict(data))
        form.validate()
        form.messages = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        return form


def test_well_formed_numbers_are_taken(app) -> None:
    form = sample(app)
    assert not form.errors
    assert (form.minutes.data, form.count.data, form.people.data, form.service.data) == (
        20,
        1,
        [1],
        3,
    )


@pytest.mark.parametrize("value", ["9" * 400, str(2**31), "-" + "9" * 400, "1_0", "x"])
def test_an_integer_past_the_range_gets_the_fields_own_message_and_is_shown_again(
    app, value
) -> None:
    form = sample(app, minutes=value)
    assert form.messages == {"minutes": ["From 1 to 600."]}
    assert form.minutes.data is None
    assert form.minutes._value() == value


def test_an_integer_field_without_a_range_message_says_enter_a_whole_number(app) -> None:
    assert sample(app, "fi", count="9" * 400).messages == {"count": ["Kirjoita kokonaisluku."]}
    assert sample(app, "sv", count=str(2**31)).messages == {"count": ["Skriv ett heltal."]}


def test_an_empty_integer_is_left_to_the_fields_own_checks(app) -> None:
    form = sample(app, minutes=" ", count="")
    assert form.messages == {"count": ["Enter the count."]}
    assert form.minutes.data is None
    assert list(sample(app, count=" ").messages) == ["count"]  # None is not from 0 to 10


@pytest.mark.parametrize("field", ["people", "service"])
@pytest.mark.parametrize("value", ["9" * 400, str(2**31), "-1", "x"])
def test_an_id_past_the_range_is_refused_in_the_users_language(app, field, value) -> None:
    assert sample(app, "fi", **{field: value}).messages == {field: ["Valitse luettelosta."]}
    assert sample(app, "sv", **{field: value}).messages == {field: ["Välj i listan."]}


def test_a_multiple_choice_keeps_each_value_once_and_leaves_out_empty_ids(app) -> None:
    form = sample(app, people=["2", "1", "2", "", "1"], topics=["b", "b", "a"])
    assert not form.errors
    assert form.people.data == [2, 1]
    assert form.topics.data == ["b", "a"]


def test_one_bad_id_among_good_ones_refuses_the_choice(app) -> None:
    form = sample(app, people=["1", str(2**31)])
    assert form.messages == {"people": ["Valitse luettelosta."]}
    assert form.people.data == []


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_number_of_every_form_has_the_rule(app) -> None:
    """Every integer field has the rule and a range with a message inside an INTEGER column's;
    every choice coerces with ``form_id`` (ids) or leaves its values as text."""
    forms = {cls for cls in _subclasses(FlaskForm) if cls.__module__.startswith("pyydaapua.")}
    integers = ids = 0
    with app.test_request_context("/fi/"):
        for cls in forms:
            assert issubclass(cls, Form), cls
            if cls.__name__.startswith("_"):
                continue
            for field in cls(formdata=None):
                if isinstance(field, IntegerField):
                    assert number_kind(field) == "integer"
                    assert field.number_rule is not None
                    ranges = [v for v in field.validators if isinstance(v, NumberRange)]
                    where = f"{cls.__name__}.{field.name}"
                    assert ranges and ranges[0].message, f"{where}: no range with a message"
                    assert INTEGER_MIN <= ranges[0].min <= ranges[0].max <= INTEGER_MAX, where
                    integers += 1
                elif isinstance(field, SelectFieldBase):
                    assert field.coerce in (str, form_id), f"{cls.__name__}.{field.name}"
                    if field.coerce is form_id:
                        assert field.number_rule.kind == "id"
                        ids += 1
    assert integers >= 4 and ids >= 5


def test_the_columns_that_the_numbers_go_to_are_integer_columns() -> None:
    """The rule's range is INTEGER's: the ids, versions and durations the forms write are
    INTEGER columns (32 bits in PostgreSQL), not BIGINT."""
    from sqlalchemy import BigInteger, Integer

    for model, column in [
        (models.HelpRequest, "version"),
        (models.HelpRequest, "id"),
        (models.StaffUser, "id"),
        (models.HomeVisit, "id"),
        (models.HomeVisit, "duration_minutes"),
        (models.Call, "duration_minutes"),
        (models.Referral, "id"),
        (models.Service, "id"),
    ]:
        kind = model.__table__.c[column].type
        assert isinstance(kind, Integer) and not isinstance(kind, BigInteger), (model, column)
