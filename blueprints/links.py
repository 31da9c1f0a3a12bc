"""What a list's page links carry: its filters, and the language when the address chose one."""

from __future__ import annotations

from flask import request

from saas.catalogue.queries import Filters


def page_link_args(filters: Filters, language: str) -> dict[str, str]:
    """The filters as a query string, plus `lang` when this page was asked for with it (a
    family without a cookie, or a link shared in another language, stays in that language on
    the next page). Nothing else of the address is carried: a page kept for everyone who made
    the same choice must not repeat what one person's address held."""
    args = filters.to_args()
    if request.args.get("lang") == language:
        args["lang"] = language
    return args
