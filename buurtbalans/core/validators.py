"""Checks and normal forms for contact data (postal codes, phone numbers) shared by forms, models and imports.

The plain functions return the normal form or None: the portfolio import calls them per cell and words its own
message (file, row, column); forms and model fields use the `validate_*` functions at the bottom.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A Dutch postal code: four digits, the first not 0, then two letters (PostNL never issued SA, SD and SS).
_DUTCH_POSTAL_CODE = re.compile(r"([1-9][0-9]{3})\s*([A-Za-z]{2})")
_NOT_ISSUED = frozenset({"SA", "SD", "SS"})
# A foreign postal code is written after its country, as on an envelope to abroad: "D-12345", "B-1000",
# "GB SW1A 1AA". Letters, digits, spaces and dashes only.
_FOREIGN_POSTAL_CODE = re.compile(r"[A-Za-z][A-Za-z0-9 -]{1,18}[A-Za-z0-9]")
POSTAL_CODE_MAX_LENGTH = 20


def dutch_postal_code(text: str) -> str | None:
    """`8011aa`, `8011 AA`, ` 8011  aa ` -> `8011 AA` (the form an envelope carries); None when not Dutch."""
    match = _DUTCH_POSTAL_CODE.fullmatch(text.strip())
    if not match or match[2].upper() in _NOT_ISSUED:
        return None
    return f"{match[1]} {match[2].upper()}"


def postal_code(text: str) -> str | None:
    """A postal code for a person's address, in its normal form, or None when it is not one.

    A code that starts with a digit is read as Dutch and must be one (`12345` is a typing error, not a German
    code). A code that starts with a letter is taken as a foreign code with its country in front (`D-12345`),
    kept as written apart from spaces.
    """
    text = " ".join(text.split())
    if not text:
        return None
    if text[0].isdigit():
        return dutch_postal_code(text)
    if len(text) <= POSTAL_CODE_MAX_LENGTH and _FOREIGN_POSTAL_CODE.fullmatch(text):
        return text.upper()
    return None


_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-.]+")


def phone_number(text: str) -> str | None:
    """A phone number as written (spaces tidied), or None when it cannot be one.

    Dutch numbers start with 0 and have 10 digits (`038-123 45 67`), service numbers 8 to 11 (`0800-1234`);
    international ones start with + or 00 and have 8 to 15 digits.
    """
    text = " ".join(text.split())
    if not _PHONE_CHARACTERS.fullmatch(text):
        return None
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+") or digits.startswith("00"):
        return text if 8 <= len(digits.removeprefix("00")) <= 15 else None
    if not digits.startswith("0"):
        return None
    return text if 8 <= len(digits) <= 11 else None


def validate_dutch_postal_code(value: str) -> None:
    if value and dutch_postal_code(value) is None:
        raise ValidationError(_("Enter a Dutch postal code: four digits and two letters, such as 8011 AB."),
                              code="postal_code")


def validate_postal_code(value: str) -> None:
    if value and postal_code(value) is None:
        raise ValidationError(
            _("Enter a Dutch postal code such as 8011 AB. For an address abroad, put the country first, "
              "such as D-12345."),
            code="postal_code",
        )


def validate_phone_number(value: str) -> None:
    if value and phone_number(value) is None:
        raise ValidationError(_("Enter a phone number, such as 038-123 45 67 or +31 38 123 45 67."), code="phone")
