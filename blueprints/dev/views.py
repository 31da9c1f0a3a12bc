"""The laptop's inbox: e-mails written to instance/mail, readable in the browser.

Registered only while MAIL_URL is a file:// folder and DORP_ENV is not production, and open only
to a signed-in platform admin: the mails hold live links (password resets, invitations) for
everyone, and a development server can be reachable by others.
"""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import abort, current_app, render_template
from flask_login import current_user, login_required

from blueprints.dev.blueprint import bp

_NAME = re.compile(r"^[0-9T]+-[0-9]{8}\.eml$")


def _folder() -> Path:
    return Path(unquote(urlparse(current_app.config["MAIL_URL"]).path))


def _read(path: Path) -> dict:
    message = BytesParser(policy=policy.default).parse(path.open("rb"))
    body = message.get_body(preferencelist=("plain",))
    return {
        "name": path.name,
        "to": message["To"],
        "subject": message["Subject"],
        "date": message["Date"],
        "text": body.get_content() if body else "",
    }


@bp.before_request
@login_required
def _platform_admin_only():
    if not current_user.is_platform_admin:
        abort(404)


@bp.route("/mail")
def inbox():
    folder = _folder()
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.exists() else []
    return render_template("dev/inbox.html", messages=[_read(p) for p in files])


@bp.route("/mail/<name>")
def message(name: str):
    if not _NAME.match(name):
        abort(404)
    path = _folder() / name
    if not path.exists():
        abort(404)
    return render_template("dev/message.html", message=_read(path))
