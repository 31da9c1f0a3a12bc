"""gunicorn's logger for Dorp's web processes (infra/gunicorn.conf.py `logger_class`): the access
log's atoms pass `saas.logmask.mask`, so no format (`%(U)s`, `%(r)s`, `%(q)s`, `%(f)s`, a header
or an environ variable) can write a live reset, invitation, sign-up or calendar-feed key."""

from __future__ import annotations

from gunicorn.glogging import Logger

from saas.logmask import mask


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
