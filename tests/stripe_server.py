"""A local HTTP server that answers the Stripe API calls Dorp makes, in Stripe's shapes.

The app's stripe client is pointed at it through STRIPE_API_BASE, so no test touches the network.
It keeps customers and subscriptions in memory (tests change a subscription's status the way
Stripe would), records every request, and can be told to fail.

It also plays Stripe's hosted pages for trying billing on a laptop without Stripe or
`stripe listen`: Checkout (`/checkout/<id>`: "pay" creates the subscription) and the customer
portal (`/portal/<id>`: pay, fail a payment, cancel), each change sent to Dorp's webhook as a
signed event. Run it with `python -m tests.stripe_server --webhook http://127.0.0.1:5000/billing/stripe/webhook`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

_ids = itertools.count(1)
LOCAL_SECRET = "whsec_local"  # a made-up secret for the local stand-in


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
    def __init__(
        self, port: int = 0, *, webhook_url: str = "", webhook_secret: str = LOCAL_SECRET
    ) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.customers: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.sessions: dict[str, dict] = {}
        self.fail_next = 0  # answer this many requests with a 500 api_error
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
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
        self.sessions.clear()
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
            session = {
                "id": session_id,
                "object": "checkout.session",
                "mode": body.get("mode"),
                "customer": body.get("customer"),
                "client_reference_id": body.get("client_reference_id"),
                "metadata": body.get("metadata", {}),
                "subscription": None,
                "status": "open",
                "url": f"{self.url}/checkout/{session_id}",
            }
            self.sessions[session_id] = {**session, "_request": body}
            return 200, session
        if path == "/v1/billing_portal/sessions" and method == "POST":
            if body.get("customer") not in self.customers:
                return _missing("customer")
            session_id = _new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": body.get("customer"),
                "return_url": body.get("return_url"),
                "url": f"{self.url}/portal/{body.get('customer')}",
            }
        if path.startswith("/v1/subscriptions/") and method == "GET":
            found = self.subscriptions.get(path.rsplit("/", 1)[1])
            return (200, found) if found else _missing("subscription")
        return 404, {"error": {"type": "invalid_request_error", "message": f"no {path}"}}

    # -- Stripe's hosted pages, for a laptop --

    def _send_event(self, event_type: str, obj: dict) -> None:
        if not self.webhook_url:
            return
        import urllib.request

        payload = json.dumps(event(event_type, obj))
        if not self.webhook_url.startswith(("http://", "https://")):
            raise ValueError("the webhook address must be http(s)")
        request = urllib.request.Request(  # noqa: S310 (checked just above)
            self.webhook_url,
            data=payload.encode(),
            headers={
                "Content-Type": "application/json",
                "Stripe-Signature": sign(payload, self.webhook_secret),
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
            response.read()

    def _page(self, path: str, method: str) -> tuple[int, str, str]:
        """(status, html, redirect) for the hosted pages."""
        parts = path.strip("/").split("/")
        if parts[0] == "checkout" and len(parts) >= 2 and parts[1] in self.sessions:
            session = self.sessions[parts[1]]
            if method == "POST" and len(parts) == 3 and parts[2] == "pay":
                request = session["_request"]
                trial_end = _int(request.get("subscription_data", {}).get("trial_end"))
                sub = self.add_subscription(
                    customer=session["customer"],
                    price=request["line_items"][0]["price"],
                    status="trialing" if trial_end else "active",
                    network_id=_int(session["metadata"].get("network_id")),
                )
                sub["trial_end"] = trial_end
                session.update(subscription=sub["id"], status="complete")
                public = {k: v for k, v in session.items() if not k.startswith("_")}
                self._send_event("checkout.session.completed", public)
                self._send_event("customer.subscription.created", sub)
                return 303, "", request["success_url"]
            return (
                200,
                _html(
                    "Stripe Checkout (local)",
                    f"<p>Price <code>{session['_request']['line_items'][0]['price']}</code>. "
                    "No card is asked: this is the local stand-in for Stripe.</p>"
                    f'<form method="post" action="/checkout/{parts[1]}/pay">'
                    '<button type="submit">Pay</button></form>'
                    f'<p><a href="{session["_request"]["cancel_url"]}">Back to Dorp</a></p>',
                ),
                "",
            )
        if parts[0] == "portal" and len(parts) >= 2 and parts[1] in self.customers:
            customer = parts[1]
            subs = [s for s in self.subscriptions.values() if s["customer"] == customer]
            if method == "POST" and len(parts) == 3 and subs:
                sub = subs[-1]
                invoice = {
                    "id": _new_id("in"),
                    "object": "invoice",
                    "customer": customer,
                    "subscription": sub["id"],
                }
                if parts[2] == "fail":
                    sub["status"] = "past_due"
                    self._send_event("invoice.payment_failed", invoice)
                    self._send_event("customer.subscription.updated", sub)
                elif parts[2] == "pay":
                    sub["status"] = "active"
                    self._send_event("invoice.paid", invoice)
                    self._send_event("customer.subscription.updated", sub)
                elif parts[2] == "cancel":
                    sub["status"] = "canceled"
                    self._send_event("customer.subscription.deleted", sub)
                return 303, "", f"/portal/{customer}"
            state = subs[-1]["status"] if subs else "no subscription"
            buttons = "".join(
                f'<form method="post" action="/portal/{customer}/{action}">'
                f'<button type="submit">{label}</button></form>'
                for action, label in (
                    ("pay", "Pay the open invoice"),
                    ("fail", "Make the next payment fail"),
                    ("cancel", "Cancel the subscription"),
                )
            )
            return (
                200,
                _html("Stripe customer portal (local)", f"<p>Subscription: {state}</p>{buttons}"),
                "",
            )
        return 404, _html("Not found", ""), ""

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                parts = urlsplit(self.path)
                if not parts.path.startswith("/v1/"):
                    status, html, location = server._page(parts.path, method)
                    data = html.encode()
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
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


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _html(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


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


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="A local stand-in for Stripe, for trying billing")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument("--webhook", default="http://127.0.0.1:5000/billing/stripe/webhook")
    parser.add_argument("--secret", default=LOCAL_SECRET, help="= Dorp's STRIPE_WEBHOOK_SECRET")
    args = parser.parse_args()
    server = StripeServer(args.port, webhook_url=args.webhook, webhook_secret=args.secret)
    print(f"Local Stripe at {server.url}; events go to {args.webhook}")
    with contextlib.suppress(KeyboardInterrupt):
        server._httpd.serve_forever()


if __name__ == "__main__":
    main()
