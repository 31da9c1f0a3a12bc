"""The workforce's one error: a change refused with a message the coordinator can act on."""

from __future__ import annotations


class WorkforceError(ValueError):
    """A change refused with a message the coordinator can act on; nothing was changed."""
