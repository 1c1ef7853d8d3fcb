"""A small stand-in for Stripe's API, for the real `stripe` SDK to talk to in tests.

It answers what our gateway uses (Checkout Sessions: create, retrieve, expire), honours
Idempotency-Key as Stripe does (same key and parameters: the same answer; same key with other
parameters: an idempotency error), records every request, and can be told to fail. Webhooks
are signed the way Stripe signs them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask import Flask

SECRET_KEY = "sk_test_local"
WEBHOOK_SECRET = "whsec_test"
CONFIG_KEYS = ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE")

ERRORS = {
    500: {"type": "api_error", "message": "Something went wrong on Stripe's end."},
    402: {"type": "card_error", "code": "card_declined", "message": "Your card was declined."},
}


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding back into objects: a[b][0][c]=1 → {"a": {"b": [{"c": "1"}]}}."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {key: _listify(inner) for key, inner in value.items()}
    if items and all(key.isdigit() for key in items):
        return [items[key] for key in sorted(items, key=int)]
    return items


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class StripeStandIn:
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    _replies: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    _failures: list[int] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        """The next request(s) answer with a Stripe error: 500 api_error or 402 card_error."""
        self._failures.extend([status] * times)

    def creations(self) -> list[Recorded]:
        return [
            recorded
            for recorded in self.requests
            if recorded.method == "POST" and recorded.path == "/v1/checkout/sessions"
        ]

    # --- the server ----------------------------------------------------------------------

    def start(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: nothing left open

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        path = handler.path.split("?", 1)[0]
        params = parse_form(body if method == "POST" else handler.path.partition("?")[2])
        key = handler.headers.get("Idempotency-Key")
        authorization = handler.headers.get("Authorization")
        with self._lock:
            self.requests.append(Recorded(method, path, params, key, authorization))
            status, reply = self._answer(method, path, params, key, authorization)
        data = json.dumps(reply).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
        if key:
            handler.send_header("Idempotency-Key", key)
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        key: str | None,
        authorization: str | None,
    ) -> tuple[int, dict[str, Any]]:
        if not (authorization or "").startswith("Bearer sk_"):
            return 401, {"error": {"type": "invalid_request_error", "message": "No API key."}}
        if self._failures:
            status = self._failures.pop(0)
            return status, {"error": ERRORS[status]}
        if method == "POST" and key:
            fingerprint = json.dumps([path, params], sort_keys=True)
            if key in self._replies:
                seen, status, reply = self._replies[key]
                if seen != fingerprint:
                    return 400, {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with "
                            "the same parameters they were first used with.",
                        }
                    }
                return status, reply
            status, reply = self._route(method, path, params)
            self._replies[key] = (fingerprint, status, reply)
            return status, reply
        return self._route(method, path, params)

    def refund_creations(self) -> list[Recorded]:
        return [
            recorded
            for recorded in self.requests
            if recorded.method == "POST" and recorded.path == "/v1/refunds"
        ]

    def _route(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, self._create_session(params)
        if method == "POST" and path == "/v1/refunds":
            return 200, self._create_refund(params)
        refund = re.fullmatch(r"/v1/refunds/([^/]+)", path)
        if method == "GET" and refund and refund.group(1) in self.refunds:
            return 200, self.refunds[refund.group(1)]
        found = re.fullmatch(r"/v1/checkout/sessions/([^/]+)(/expire)?", path)
        if found and found.group(1) in self.sessions:
            session = self.sessions[found.group(1)]
            if method == "POST" and found.group(2):
                if session["status"] != "open":
                    return 400, {
                        "error": {
                            "type": "invalid_request_error",
                            "message": f"This Checkout Session is {session['status']}.",
                        }
                    }
                session["status"] = "expired"
                session["url"] = None
            if method == "GET" or found.group(2):
                return 200, session
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"No such route: {path}"}
        }

    def _create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        lines = params.get("line_items", [])
        amount = sum(
            int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1)) for line in lines
        )
        session_id = f"cs_test_{secrets.token_hex(12)}"
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "livemode": False,
            "mode": params.get("mode", "payment"),
            "status": "open",
            "payment_status": "unpaid",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": lines[0]["price_data"]["currency"] if lines else None,
            "metadata": params.get("metadata", {}),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "success_url": params.get("success_url"),
            "cancel_url": params.get("cancel_url"),
            "payment_intent": None,
            "created": now,
            "expires_at": now + 24 * 3600,
        }
        self.sessions[session_id] = session
        return session

    def _create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        """A refund as Stripe makes it: succeeded at once (the stand-in has no bank)."""
        refund_id = f"re_test_{secrets.token_hex(12)}"
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": int(params.get("amount", 0)),
            "currency": "pln",
            "charge": params.get("charge"),
            "payment_intent": params.get("payment_intent"),
            "status": "succeeded",
            "failure_reason": None,
            "created": int(time.time()),
        }
        self.refunds[refund_id] = refund
        return refund

    # --- what Stripe would send afterwards -------------------------------------------------

    def pay(self, session_id: str) -> dict[str, Any]:
        """The buyer paid on Stripe's page: the session as Stripe now has it."""
        session = self.sessions[session_id]
        session.update(
            status="complete",
            payment_status="paid",
            url=None,
            payment_intent=f"pi_test_{secrets.token_hex(12)}",
        )
        return dict(session)


def event(
    event_type: str, session: dict[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    """A Stripe event around a Checkout Session, as the webhook receives it."""
    return {
        "id": event_id or f"evt_test_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": "2026-10-29.clover",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": event_type,
        "data": {"object": session},
    }


def signed_webhook(
    payload: dict[str, Any], secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    """The body and Stripe-Signature header Stripe would send."""
    body = json.dumps(payload).encode()
    return body, signature_header(body, secret, timestamp)


def signature_header(
    body: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> str:
    """t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed with the endpoint secret>."""
    t = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={signature}"


@pytest.fixture(name="stripe_standin")
def stripe_standin_fixture(app: Flask) -> Iterator[StripeStandIn]:
    """A running stand-in, and the app configured to use it (restored afterwards)."""
    standin = StripeStandIn()
    standin.start()
    saved = {key: app.config.get(key) for key in CONFIG_KEYS}
    app.config.update(
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_API_BASE=standin.url,
    )
    try:
        yield standin
    finally:
        app.config.update(saved)
        app.extensions.pop("stripe_client", None)
        standin.stop()
