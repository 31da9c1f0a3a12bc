"""How a family is recognised in a search: the same phone number, e-mail address or name,
however it was typed.

"0470123456", "0470 12 34 56", "+32 470/12.34.56" and "0032 470 12 34 56" are one number
(read as Belgian unless they say otherwise, with the `phonenumbers` library); e-mail addresses
are compared without case; names without case or accents ("Ayşe" is "ayse", "Élodie" is
"elodie"). Pure functions: nothing is kept or logged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import phonenumbers

DEFAULT_REGION = "BE"
MIN_DIGITS = 4  # fewer digits than this is no phone number to look for
_PHONE_CHARS = re.compile(r"^[\d\s+().\-/]+$")


def phone_key(text: str) -> str | None:
    """The number in E.164 form ("+32470123456"), or None when `text` is not a possible phone
    number."""
    text = (text or "").strip()
    if not _PHONE_CHARS.match(text) or sum(c.isdigit() for c in text) < MIN_DIGITS:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(text: str) -> str | None:
    """The digits of a (part of a) phone number as searched for: without the leading zeros and
    the country's code a Belgian number is written with, so "0470 12" finds "+32 470 12 34 56";
    None when `text` is not made of a phone number's characters."""
    text = (text or "").strip()
    if not _PHONE_CHARS.match(text):
        return None
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < MIN_DIGITS:
        return None
    for prefix in ("0032", "32") if text.lstrip().startswith(("+", "00")) else ():
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return digits.lstrip("0") or None


def email_key(text: str) -> str | None:
    """An e-mail address as compared: stripped and without case; None when it is not one."""
    text = (text or "").strip()
    if text.count("@") != 1 or any(c.isspace() for c in text):
        return None
    return text.casefold()


def name_key(text: str) -> str:
    """A name or label as compared: without case, accents or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _phone_forms(value: str) -> set[str]:
    """A stored value's phone digits, as written and in E.164 (without its "+")."""
    forms = set()
    key = phone_key(value)
    if key:
        number = phonenumbers.parse(key)
        forms.add(str(number.national_number))
    digits = "".join(c for c in value if c.isdigit())
    if digits:
        forms.add(digits)
    return forms


def searcher(term: str) -> Callable[..., bool]:
    """Whether a search `term` finds a record holding `values` (a label, a phone number or an
    e-mail address): the same number, the same address, or a part of a name. The term is read
    once; the returned test runs per record."""
    name, email, phone, digits = (
        name_key(term),
        email_key(term),
        phone_key(term),
        phone_digits(term),
    )

    def finds(*values: str) -> bool:
        if name and any(name in name_key(v) for v in values):
            return True
        if email and any(email_key(v) == email for v in values):
            return True
        if phone and any(phone_key(v) == phone for v in values):
            return True
        if digits:
            return any(digits in form for v in values if v for form in _phone_forms(v))
        return False

    return finds


def matches(term: str, *values: str) -> bool:
    """`searcher(term)` for one record."""
    return searcher(term)(*values)
