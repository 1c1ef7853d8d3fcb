"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, as a pytest fixture.

Import it in a test module with `from tests.smtp import smtp_server_fixture  # noqa: F401`
and take a `smtp_server` parameter; `smtp_server.configure(app)` points the app's MAIL_SERVER
at it until the test ends, and `portal.notifications.delivery.deliver_due()` then sends the
outbox into `smtp_server.messages`.
"""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask

HOST = "127.0.0.1"
_MISSING = object()


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's Controller refuses port=0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class Inbox:
    """The aiosmtpd handler: every message it accepts, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int, inbox: Inbox) -> None:
        self.port = port
        self._inbox = inbox
        self._saved: list[tuple[Flask, dict[str, Any]]] = []

    @property
    def messages(self) -> list[EmailMessage]:
        return self._inbox.messages

    def configure(self, app: Flask, *, port: int | None = None) -> None:
        """Sends the app's mail here until the test ends; `port=free_port()` instead points
        the app at a closed port, as if the server were down."""
        settings = {
            "MAIL_SERVER": HOST,
            "MAIL_PORT": self.port if port is None else port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": "",
        }
        self._saved.append((app, {key: app.config.get(key, _MISSING) for key in settings}))
        app.config.update(settings)

    def restore(self) -> None:
        while self._saved:
            app, values = self._saved.pop()
            for key, value in values.items():
                if value is _MISSING:
                    app.config.pop(key, None)
                else:
                    app.config[key] = value


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    """Registered as `smtp_server`; the function's own name differs so that importing it does
    not clash with the test parameters that use it (ruff F811)."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname=HOST, port=port)
    controller.start()
    server = SmtpServer(port, inbox)
    try:
        yield server
    finally:
        server.restore()
        controller.stop()
