"""The one way a view loads what its URL names: the row in the current network, or a 404.

The scoping hook (tenants.scoping) adds the current network to the statement, so another
network's row is simply not found: a view never learns, and never reveals, that it exists.
Extra criteria narrow it further (a published offer, an active partner, the person's own row).
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from sqlalchemy import select

from saas.extensions import db

T = TypeVar("T")


def load_or_404(model: type[T], ident: int, *criteria: Any) -> T:
    """`model`'s row with id `ident` in the current network that meets `criteria`, else 404."""
    row = db.session.execute(
        select(model).where(model.id == ident, *criteria)  # type: ignore[attr-defined]
    ).scalar_one_or_none()
    return found_or_404(row)


def found_or_404(value: T | None) -> T:
    """`value`, or a 404 when a service found nothing the person may see."""
    if value is None:
        abort(404)
    return value
