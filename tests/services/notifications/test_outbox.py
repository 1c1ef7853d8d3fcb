"""The outbox: mail exists if and only if its change commits, and the worker keeps trying."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import atomic, db, utcnow
from portal.notifications import outbox
from portal.notifications.delivery import deliver_due
from portal.notifications.models import MailStatus, OutboxMessage
from tests.builders import make_user
from tests.smtp import free_port, smtp_server_fixture  # noqa: F401

POLISH = "Zażółć gęślą jaźń"
LINK = "http://portal.test/password/reset/a-token"


def enqueue_invitation(to: str = "anna@acme.example") -> OutboxMessage:
    with atomic():
        return outbox.enqueue(
            "accounts/invitation",
            to=to,
            context={"name": POLISH, "company": "Łódź Sp. z o.o.", "inviter": "Ewa", "link": LINK},
        )


def make_due(message: OutboxMessage) -> None:
    """Instead of sleeping through the backoff."""
    with atomic():
        message.next_attempt_at = utcnow() - timedelta(seconds=1)


def fail_until_given_up(message: OutboxMessage, attempts: int) -> None:
    for _ in range(attempts):
        make_due(message)
        deliver_due()


def test_committed_mail_arrives_by_smtp_with_a_subject_and_text_and_html_parts(app, smtp_server):
    smtp_server.configure(app)
    message = enqueue_invitation()

    assert deliver_due() == (1, 0)

    [mail] = smtp_server.messages
    assert mail["To"] == "anna@acme.example"
    assert mail["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert mail["Subject"] == "Ewa invites you to order for Łódź Sp. z o.o."
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert f"Hello {POLISH}," in text
    assert LINK in text
    assert f"Hello {POLISH}," in html
    assert f'href="{LINK}"' in html
    assert message.status is MailStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


def test_mail_of_a_change_that_rolls_back_is_never_sent(app, smtp_server):
    smtp_server.configure(app)

    with pytest.raises(RuntimeError, match="the change failed"), atomic():
        message = outbox.enqueue(
            "accounts/password_reset",
            to="anna@acme.example",
            context={"name": POLISH, "link": LINK, "hours": 1},
        )
        db.session.flush()
        message_id = message.id
        raise RuntimeError("the change failed")

    assert db.session.get(OutboxMessage, message_id) is None
    assert deliver_due() == (0, 0)
    assert smtp_server.messages == []


def test_mail_waits_while_the_server_is_down_and_goes_out_when_it_is_back_and_due(app, smtp_server):
    smtp_server.configure(app, port=free_port())  # nobody listens there
    message = enqueue_invitation()
    before = utcnow()

    assert deliver_due() == (0, 1)

    assert message.status is MailStatus.PENDING
    assert message.attempts == 1
    assert message.last_error is not None
    assert "Connection" in message.last_error
    assert message.next_attempt_at >= before + timedelta(minutes=1)

    smtp_server.configure(app)  # the server is back
    assert deliver_due() == (0, 0), "not due yet: the worker must respect the backoff"
    assert smtp_server.messages == []

    make_due(message)
    assert deliver_due() == (1, 0)
    assert [mail["To"] for mail in smtp_server.messages] == ["anna@acme.example"]
    assert message.status is MailStatus.SENT
    assert message.attempts == 2
    assert message.last_error is None


def test_each_failure_waits_longer_before_the_next_attempt(app, smtp_server):
    smtp_server.configure(app, port=free_port())
    message = enqueue_invitation()
    waits = []
    for _ in range(3):
        make_due(message)
        started = utcnow()
        deliver_due()
        waits.append(message.next_attempt_at - started)

    assert waits[0] < waits[1] < waits[2]
    assert message.attempts == 3


def test_mail_that_keeps_failing_is_shown_to_staff_who_send_it_again(
    app, smtp_server, login, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    smtp_server.configure(app, port=free_port())
    message = enqueue_invitation(to="failing@acme.example")

    fail_until_given_up(message, 3)

    assert message.status is MailStatus.FAILED
    assert message.attempts == 3
    make_due(message)
    assert deliver_due() == (0, 0), "a failed message waits for staff"

    staff = login(make_user(role=Role.STAFF))
    page = staff.get("/office/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "failing@acme.example" in html
    assert "Ewa invites you to order for Łódź Sp. z o.o." in html
    assert "3 attempts" in html
    assert f'action="/office/mail/{message.id}/retry"' in html
    assert "Send again</button>" in html

    response = staff.post(f"/office/mail/{message.id}/retry")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/office/mail")
    assert message.status is MailStatus.PENDING
    assert message.attempts == 0
    smtp_server.configure(app)
    assert deliver_due() == (1, 0)
    assert [mail["To"] for mail in smtp_server.messages] == ["failing@acme.example"]


def test_without_a_mail_server_mail_is_written_to_eml_files(app, monkeypatch, tmp_path: Path):
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(folder))
    message = enqueue_invitation()

    assert deliver_due() == (1, 0)

    [eml] = folder.glob("*.eml")
    assert eml.name.endswith(f"-{message.id}.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert mail["To"] == "anna@acme.example"
    assert f"Hello {POLISH}," in mail.get_body(preferencelist=("plain",)).get_content()
    assert message.status is MailStatus.SENT


@pytest.mark.parametrize("role", [Role.BUYER, Role.PARTNER_ADMIN, Role.SALES_REP])
def test_only_staff_see_the_mail_queue(app, login, role):
    message = enqueue_invitation()
    with atomic():
        message.status = MailStatus.FAILED
    client = login(make_user(role=role))

    assert client.get("/office/mail").status_code == 403
    assert client.post(f"/office/mail/{message.id}/retry").status_code == 403
    status = db.session.scalar(
        sa.select(OutboxMessage.status).where(OutboxMessage.id == message.id)
    )
    assert status is MailStatus.FAILED


def test_mail_is_queued_unrendered_and_the_worker_writes_it_in_the_recipients_language(
    app, monkeypatch, tmp_path: Path
):
    folder = tmp_path / "mail"
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(folder))
    with atomic():
        message = outbox.enqueue(
            "orders/placed",
            to="anna@acme.example",
            language="pl",
            context={
                "name": POLISH,
                "number": "ZK/2026/11/0042",
                "gross": Decimal("1234.50"),
                "link": "http://portal.test/orders/42",
            },
        )
    stored = db.session.execute(
        sa.select(OutboxMessage.rendered_text, OutboxMessage.language, OutboxMessage.context).where(
            OutboxMessage.id == message.id
        )
    ).one()
    assert stored.rendered_text == ""  # nothing is rendered in the request that queues it
    assert stored.language == "pl"
    assert stored.context["gross"] == {"$decimal": "1234.50"}

    assert deliver_due() == (1, 0)

    [eml] = folder.glob("*.eml")
    mail = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["Subject"] == "Zamówienie ZK/2026/11/0042 zostało złożone"
    assert f"Dzień dobry, {POLISH}," in text
    assert "1\u00a0234,50\u00a0zł" in text  # the exact amount, formatted the Polish way
    assert message.rendered_subject == mail["Subject"]  # kept for the staff's mail queue


def test_a_message_that_cannot_be_rendered_is_retried_and_never_lost(app, smtp_server):
    smtp_server.configure(app)
    with atomic():
        message = outbox.enqueue("orders/no_such_mail", to="anna@acme.example", context={})

    assert deliver_due() == (0, 1)

    assert message.status is MailStatus.PENDING
    assert "no_such_mail" in (message.last_error or "")
    assert smtp_server.messages == []
