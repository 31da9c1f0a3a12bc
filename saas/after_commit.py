"""Work that must wait for the commit: noted at each flush, done once the transaction commits.

The outbox relay, the Stripe event relay and the health figures' cache all need the same thing:
know what a transaction wrote, and act on it only when it is durable. `after_commit` is that
mechanism, registered once per key on every ORM session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_registered: set[str] = set()


def after_commit(
    key: str, note: Callable[[Session], Iterable[Any]], act: Callable[[list[Any]], object]
) -> None:
    """After every flush, `note(session)` gives what that flush wrote that matters; after the
    commit, `act(items)` runs once with all of it, in order. A rollback (a savepoint's too)
    forgets what was noted: each caller has a backstop for that (the outbox sweeps re-enqueue
    what is pending, the cache's entries expire). Registering a key again does nothing."""
    if key in _registered:
        return
    _registered.add(key)

    def _note(session: Session, _flush_context) -> None:
        note_now(session, key, note(session))

    def _act(session: Session) -> None:
        items = session.info.pop(key, None)
        if items:
            act(items)

    def _forget(session: Session, _previous_transaction) -> None:
        session.info.pop(key, None)

    event.listen(Session, "after_flush", _note)
    event.listen(Session, "after_commit", _act)
    event.listen(Session, "after_soft_rollback", _forget)


def note_now(session: Session, key: str, items: Iterable[Any]) -> None:
    """Note items for `key` outside a flush (a bulk UPDATE or DELETE flushes nothing): acted on
    after the commit like the rest, forgotten on a rollback."""
    items = list(items)
    if items:
        session.info.setdefault(key, []).extend(items)
