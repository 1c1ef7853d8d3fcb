"""Status mail: entering a status that e-mails the partner queues one mail to the buyer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import atomic, db, utcnow
from portal.documents.models import DocumentEvent, EventKind
from portal.notifications.delivery import deliver_due
from portal.notifications.models import EmailTemplate, MailStatus, OutboxMessage
from portal.orders.models import OrderStatus, Step
from portal.orders.statuses import move_to_step
from tests.builders import make_company, make_product, make_user
from tests.services.orders.helpers import fill_cart, place
from tests.smtp import free_port, smtp_server_fixture  # noqa: F401


def status_mails() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == "orders/status_changed")
            .order_by(OutboxMessage.id)
        )
    )


def placed_order(language: str = "en"):  # type: ignore[no-untyped-def]
    company = make_company(name="Acme Sp. z o.o.")
    buyer = make_user(company=company, language=language, name="Anna Nowak")
    fill_cart(buyer, (make_product(stock=10), "2"))
    return buyer, place(buyer)


def move(order, step: Step, actor) -> None:  # type: ignore[no-untyped-def]
    with atomic():
        move_to_step(order, step, actor=actor)


def test_entering_a_status_that_mails_the_partner_queues_one_mail_to_the_buyer():
    buyer, order = placed_order()
    staff = make_user(role=Role.STAFF)

    move(order, Step.CONFIRM, staff)

    [mail] = status_mails()
    assert mail.recipient == buyer.email
    assert mail.cc == ""
    assert mail.subject == f"Order {order.number} is now: Confirmed"
    assert "Hello Anna Nowak," in mail.body_text
    assert f"http://portal.test/orders/{order.id}" in mail.body_html


def test_a_status_that_does_not_mail_queues_nothing():
    _, order = placed_order()
    staff = make_user(role=Role.STAFF)
    move(order, Step.CONFIRM, staff)

    move(order, Step.PICK, staff)  # "picking" does not e-mail the partner

    assert len(status_mails()) == 1


def test_placing_and_cancelling_send_only_their_own_mails():
    buyer, order = placed_order()
    from portal.orders.services import cancel_order

    cancel_order(order, actor=buyer)

    assert status_mails() == []
    templates = db.session.scalars(
        sa.select(OutboxMessage.template).where(OutboxMessage.recipient == buyer.email)
    ).all()
    assert sorted(templates) == ["orders/cancelled", "orders/placed"]


def test_the_mail_is_in_the_buyers_language():
    _, order = placed_order(language="de")
    move(order, Step.CONFIRM, make_user(role=Role.STAFF))

    [mail] = status_mails()
    assert mail.language == "de"
    assert order.number in mail.subject
    assert "Hello" not in mail.body_text


def test_the_admins_template_in_the_buyers_language_is_used_and_a_rep_gets_a_copy():
    _, order = placed_order(language="pl")
    rep = make_user(role=Role.SALES_REP, email="rep@portal.example")
    db.session.add_all(
        [
            EmailTemplate(
                code="status/confirmed",
                language="pl",
                subject="{{ number }}: {{ status }}",
                body_html="<p>Dzień dobry {{ name }}, razem {{ gross|money }}.</p>"
                '<p><a href="{{ link }}">Zamówienie</a></p>',
            ),
            EmailTemplate(
                code="status/confirmed", language="en", subject="English", body_html="<p>x</p>"
            ),
        ]
    )
    db.session.flush()

    move(order, Step.CONFIRM, rep)

    [mail] = status_mails()
    assert mail.subject == f"{order.number}: Potwierdzone"
    assert mail.cc == "rep@portal.example"
    assert "Dzień dobry Anna Nowak, razem" in mail.body_text
    assert "zł" in mail.body_text
    assert f'href="http://portal.test/orders/{order.id}"' in mail.body_html


def test_status_change_stands_while_smtp_is_down_and_the_mail_goes_out_later(app, smtp_server):
    buyer, order = placed_order()
    smtp_server.configure(app, port=free_port())  # nobody listens: SMTP is down

    move(order, Step.CONFIRM, make_user(role=Role.STAFF))
    db.session.commit()
    deliver_due()

    confirmed = db.session.scalar(sa.select(OrderStatus).where(OrderStatus.code == "confirmed"))
    db.session.expire_all()
    assert order.status_id == confirmed.id
    assert db.session.scalar(
        sa.select(DocumentEvent.id).where(
            DocumentEvent.document_id == order.id,
            DocumentEvent.kind == EventKind.STATUS,
            DocumentEvent.to_status_id == confirmed.id,
        )
    )
    [mail] = status_mails()
    assert mail.status is MailStatus.PENDING
    assert mail.attempts >= 1 and mail.last_error

    smtp_server.configure(app)  # SMTP is back
    with atomic():
        mail.next_attempt_at = utcnow() - timedelta(seconds=1)
    deliver_due()

    assert mail.status is MailStatus.SENT
    assert [m["To"] for m in smtp_server.messages if order.number in m["Subject"]] == [buyer.email]


@pytest.mark.parametrize("language", ["en", "pl", "de"])
def test_the_file_template_renders_in_every_language(language):
    _, order = placed_order(language=language)
    move(order, Step.CONFIRM, make_user(role=Role.STAFF))
    [mail] = status_mails()
    assert order.number in mail.subject
    assert order.number in mail.body_html
