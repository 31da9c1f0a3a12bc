"""What the API's views share: query arguments, pages of a list, the JSON body, the token's
partners."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import request
from sqlalchemy import Select, func, select

from blueprints.api.errors import ApiError
from saas.bounds import EARLIEST_DATE, LATEST_DATE, MAX_INT, date_allowed
from saas.extensions import db

MAX_PER_PAGE = 100

PAGE_PARAMS = [
    {
        "name": "page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1},
        "description": "Page number, from 1",
    },
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25},
        "description": "Items per page",
    },
]


DATE_WINDOW = f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def date_param(name: str, description: str) -> dict:
    """A query parameter that is a date, documented with the window every date must lie in."""
    return {
        "name": name,
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": f"{description}; a date {DATE_WINDOW}",
    }


def id_param(name: str, description: str = "") -> dict:
    return {
        "name": name,
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_INT},
        **({"description": description} if description else {}),
    }


# --- query arguments ----------------------------------------------------------------------------


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(
            400, "bad_request", details={name: [f"an integer from {low} to {high}"]}
        ) from None
    if not low <= value <= high:
        raise ApiError(400, "bad_request", details={name: [f"an integer from {low} to {high}"]})
    return value


def date_arg(name: str, default: date) -> date:
    """A date query argument within saas.bounds' window, else 400 saying which dates are taken."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not date_allowed(day):
        raise ApiError(
            400, "bad_request", details={name: [f"a date like 2027-03-15, {DATE_WINDOW}"]}
        )
    return day


def paging() -> tuple[int, int]:
    return int_arg("page", 1, 1, 100_000), int_arg("per_page", 25, 1, MAX_PER_PAGE)


# --- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a list, as the schemas' *Page dump it."""

    items: Sequence
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page


def page_of(items: Sequence) -> Page:
    """The page asked for of a whole list."""
    page, per_page = paging()
    return Page(items[(page - 1) * per_page : page * per_page], page, per_page, len(items))


def page_from(query: Select, *order_by) -> Page:
    """The page asked for of the query's rows: counted, then read in that order."""
    page, per_page = paging()
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = (
        db.session.execute(query.order_by(*order_by).offset((page - 1) * per_page).limit(per_page))
        .scalars()
        .all()
    )
    return Page(rows, page, per_page, total)


# --- the body -----------------------------------------------------------------------------------


def json_body() -> dict:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not storable(body):
        raise ApiError(400, "invalid_json")
    return body


def storable(value) -> bool:
    """No NUL characters or lone surrogates: text every database can store."""
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(storable(k) and storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(storable(v) for v in value)
    return True
