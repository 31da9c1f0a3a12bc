"""The schema version an export is written in: the Alembic revision of the code that wrote it."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import current_app

FORMAT = "dorp-network-export"
FORMAT_VERSION = 1


@cache
def _scripts(directory: str) -> ScriptDirectory:
    return ScriptDirectory(directory)


def scripts() -> ScriptDirectory:
    return _scripts(str(current_app.extensions["migrate"].directory))


def head() -> str:
    return scripts().get_current_head()


def is_known(revision: str) -> bool:
    """A revision of this code's migrations (the head or an older one)."""
    return any(script.revision == revision for script in scripts().walk_revisions())
