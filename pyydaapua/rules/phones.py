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
