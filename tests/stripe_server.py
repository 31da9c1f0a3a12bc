"""A local HTTP server that answers the Stripe API calls Dorp makes, in Stripe's shapes.

The app's stripe client is pointed at it through STRIPE_API_BASE, so no test touches the network.
It keeps customers and subscriptions in memory (tests change a subscription's status the way
Stripe would), records every request, and can be told to fail.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

_ids = itertools.count(1)


def _new_id(prefix: str) -> str:
    return f"{prefix}_test{next(_ids):06d}"


def _unflatten(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (a[b][0][c]=x) back into nested dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        parts = key.replace("]", "").split("[")
        node = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt = None if last else parts[i + 1]
            container = [] if (nxt is not None and nxt.isdigit()) else {}
            if isinstance(node, list):
                index = int(part)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = value
                else:
                    if node[index] is None:
                        node[index] = container
                    node = node[index]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, container)
    return root


class StripeServer:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.customers: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.fail_next = 0  # answer this many requests with a 500 api_error
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StripeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset(self) -> None:
        self.requests.clear()
        self.customers.clear()
        self.subscriptions.clear()
        self.fail_next = 0

    # -- what tests use to play Stripe's part --

    def add_subscription(
        self, *, customer: str, price: str, status: str = "active", network_id: int | None = None
    ) -> dict:
        now = int(time.time())
        sub_id = _new_id("sub")
        sub = {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "cancel_at_period_end": False,
            "current_period_end": now + 30 * 86400,
            "trial_end": None,
            "metadata": {"network_id": str(network_id)} if network_id else {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": _new_id("si"),
                        "object": "subscription_item",
                        "price": {"id": price, "object": "price"},
                        "current_period_end": now + 30 * 86400,
                    }
                ],
            },
        }
        self.subscriptions[sub_id] = sub
        return sub

    def calls(self, method: str, path: str) -> list[dict]:
        return [body for m, p, body in self.requests if m == method and p == path]

    # -- the HTTP side --

    def _answer(self, method: str, path: str, body: dict) -> tuple[int, dict]:
        if path == "/v1/customers" and method == "POST":
            customer = {
                "id": _new_id("cus"),
                "object": "customer",
                "name": body.get("name"),
                "metadata": body.get("metadata", {}),
            }
            self.customers[customer["id"]] = customer
            return 200, customer
        if path.startswith("/v1/customers/") and method == "GET":
            found = self.customers.get(path.rsplit("/", 1)[1])
            return (200, found) if found else _missing("customer")
        if path == "/v1/checkout/sessions" and method == "POST":
            session_id = _new_id("cs")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": body.get("mode"),
                "customer": body.get("customer"),
                "client_reference_id": body.get("client_reference_id"),
                "metadata": body.get("metadata", {}),
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            }
        if path == "/v1/billing_portal/sessions" and method == "POST":
            if body.get("customer") not in self.customers:
                return _missing("customer")
            session_id = _new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": body.get("customer"),
                "return_url": body.get("return_url"),
                "url": f"https://billing.stripe.test/p/session/{session_id}",
            }
        if path.startswith("/v1/subscriptions/") and method == "GET":
            found = self.subscriptions.get(path.rsplit("/", 1)[1])
            return (200, found) if found else _missing("subscription")
        return 404, {"error": {"type": "invalid_request_error", "message": f"no {path}"}}

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                body = _unflatten(parse_qsl(raw or parts.query, keep_blank_values=True))
                server.requests.append((method, parts.path, body))
                if not self.headers.get("Authorization", "").startswith("Bearer sk_test_"):
                    status, payload = 401, {"error": {"type": "invalid_request_error"}}
                elif server.fail_next > 0:
                    server.fail_next -= 1
                    status, payload = 500, {"error": {"type": "api_error", "message": "boom"}}
                else:
                    status, payload = server._answer(method, parts.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _new_id("req"))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):  # keep test output clean
                pass

        return Handler


def _missing(kind: str) -> tuple[int, dict]:
    return 404, {
        "error": {"type": "invalid_request_error", "code": "resource_missing", "message": kind}
    }


def event(event_type: str, obj: dict, *, event_id: str | None = None, created: int | None = None):
    """A Stripe event body around an object, as Stripe sends it."""
    return {
        "id": event_id or _new_id("evt"),
        "object": "event",
        "api_version": "2024-06-20",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": obj},
    }


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{ts}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"
