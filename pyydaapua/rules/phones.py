"""Phone numbers: Finnish and international formats, stored in E.164."""

from __future__ import annotations

import phonenumbers


def normalise_phone(text: str) -> str | None:
    """The number in E.164 if it is a valid Finnish or international number, else None."""
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable_phone(text: str) -> str:
    """A number grouped for reading aloud and checking: "040 123 4567", "+46 70 123 45 67".

    Finnish numbers are shown as they are dialled in Finland, others with their country code;
    text that is no phone number is returned as it is.
    """
    if text.startswith("+358") and text[4:].isdigit() and len(text) > 6:
        # As the form stores Finnish numbers (E.164): read without parsing, which costs more
        # than the rest of an inbox row.
        number = phonenumbers.PhoneNumber(country_code=358, national_number=int(text[4:]))
    else:
        try:
            number = phonenumbers.parse(text, "FI")
        except phonenumbers.NumberParseException:
            return text
    if number.country_code != 358:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    groups = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).split()
    if len(groups) > 1 and len(groups[-1]) > 4:
        # The subscriber number in two groups, the last four digits together.
        last = groups.pop()
        groups += [last[:-4], last[-4:]]
    return " ".join(groups)


def tel_uri(text: str) -> str:
    """A ``tel:`` link for a number as written in a setting ("09 310 12345", "112")."""
    e164 = normalise_phone(text)
    if e164 is not None:
        return f"tel:{e164}"
    return "tel:" + "".join(ch for ch in text if ch.isdigit() or ch == "+")
