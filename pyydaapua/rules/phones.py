"""Phone numbers: Finnish and international formats, stored in E.164."""

from __future__ import annotations

import functools

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
    if text.startswith("+358") and text[4:].isdigit() and len(text) > 6 and text[4] != "0":
        # As the form stores Finnish numbers (E.164): grouped without parsing or formatting,
        # which cost more than the rest of an inbox row (the inbox shows 50 at a time).
        national = text[4:]
        prefix, sizes = _finnish_layout(national[:_LEADING_DIGITS], len(national))
        digits, groups = prefix + national, []
        for size in sizes:
            groups.append(digits[:size])
            digits = digits[size:]
        return " ".join(groups)
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException:
        return text
    if number.country_code != 358:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return " ".join(_finnish_groups(number))


# Finland's national formats are chosen by at most the first three digits of the number and
# laid out by its length (phonenumbers' metadata for FI): the layout is kept by those alone.
_LEADING_DIGITS = 3


@functools.lru_cache(maxsize=4096)
def _finnish_layout(leading: str, length: int) -> tuple[str, tuple[int, ...]]:
    """The national prefix ("0" or none) and the sizes of the groups, over the prefix and the
    digits, of a Finnish number starting with ``leading`` and ``length`` digits long (found by
    formatting one such number)."""
    national = leading + "0" * (length - len(leading))
    groups = _finnish_groups(
        phonenumbers.PhoneNumber(country_code=358, national_number=int(national))
    )
    written = "".join(groups)
    return written[: len(written) - len(national)], tuple(len(group) for group in groups)


def _finnish_groups(number: phonenumbers.PhoneNumber) -> list[str]:
    """A Finnish number's groups as dialled in Finland, the last four digits together."""
    groups = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).split()
    if len(groups) > 1 and len(groups[-1]) > 4:
        # The subscriber number in two groups, the last four digits together.
        last = groups.pop()
        groups += [last[:-4], last[-4:]]
    return groups


def tel_uri(text: str) -> str:
    """A ``tel:`` link for a number as written in a setting ("09 310 12345", "112")."""
    e164 = normalise_phone(text)
    if e164 is not None:
        return f"tel:{e164}"
    return "tel:" + "".join(ch for ch in text if ch.isdigit() or ch == "+")
