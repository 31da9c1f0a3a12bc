"""Language codes as ISO 639 has them: a two-letter ISO 639-1 code, or a three-letter ISO 639-3
code (individual languages and macrolanguages). Group codes such as `ber` (Berber, ISO 639-5)
are not languages and are refused, as HSDS's `language.code` asks."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def is_language_code(code: str) -> bool:
    if not isinstance(code, str) or code != code.strip().lower():
        return False
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code) is not None
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code) is not None
    return False


def check_language_codes(codes) -> None:
    """ValueError naming the first code that is not ISO 639-1 or ISO 639-3."""
    for code in codes:
        if not is_language_code(code):
            raise ValueError(f"not an ISO 639-1 or ISO 639-3 language code: {code!r}")
