"""A local SMTP server for the mail benchmark, in its own process: counts what it accepts.

python -m bench._smtp_sink PORT      (prints the count when stopped with SIGTERM)
"""

from __future__ import annotations

import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Counter:
    def __init__(self) -> None:
        self.accepted = 0
        self.ids: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        self.accepted += 1
        for header in envelope.content.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
            if header.lower().startswith(b"message-id:"):
                self.ids.add(header.split(b":", 1)[1].strip().decode())
        return "250 OK"


def main() -> None:
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=int(sys.argv[1]))
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    print(f"{counter.accepted} {len(counter.ids)}", flush=True)


if __name__ == "__main__":
    main()
