"""Reading what the outbox delivered to the file mailbox in tests."""

from __future__ import annotations

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path


def messages(environ: dict) -> list:
    folder = Path(environ["DORP_INSTANCE_PATH"]) / "mail"
    if not folder.exists():
        return []
    return [
        BytesParser(policy=policy.default).parse(p.open("rb")) for p in sorted(folder.glob("*.eml"))
    ]


def links_in_mailbox(environ: dict, recipient: str, path_part: str) -> list[str]:
    found = []
    for message in messages(environ):
        if message["To"] != recipient:
            continue
        text = message.get_body(preferencelist=("plain",)).get_content()
        found += [link for link in re.findall(r"https?://\S+", text) if path_part in link]
    return found
