"""Card payments: a Checkout Session per order through the real SDK, and webhook events that
mark the order paid exactly once, whatever Stripe repeats or reorders."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Company, Role
from portal.core.db import db
from portal.documents.models import DocumentEvent, DocumentLine, EventKind
from portal.orders.models import PaymentMethod, PaymentState
from portal.orders.services import approve_order, change_line
from portal.payments import services
from portal.payments.models import StripeEvent
from portal.payments.services import CardPaymentNotPossible, Outcome, handle_event
from portal.payments.stripe_gateway import PaymentProviderError, WebhookEvent, minor_units
from tests.builders import make_user
from tests.services.payments.helpers import GROSS_GROSZE, card_order, info_of, mails, payment_rows
from tests.stripe_standin import event, stripe_standin_fixture  # noqa: F401


def as_event(payload: dict) -> WebhookEvent:
    return WebhookEvent(payload["id"], payload["type"], payload["data"]["object"])


def paid_session(stripe_standin, order) -> dict:
    services.start_card_payment(order)
    return stripe_standin.pay(info_of(order).stripe_session_id)


def test_minor_units_are_exact_grosze():
    assert minor_units(Decimal("45.53")) == 4553
    assert minor_units(Decimal("0.10")) == 10
    assert minor_units(Decimal("1234567.89")) == 123456789
    with pytest.raises(ValueError):
        minor_units(Decimal("1.005"))


def test_the_session_charges_the_orders_gross_in_grosze(stripe_standin):
    buyer, order = card_order()
    assert order.gross_total == Decimal("45.53")
    url = services.start_card_payment(order)

    [created] = stripe_standin.creations()
    session = stripe_standin.sessions[info_of(order).stripe_session_id]
    assert url == session["url"] and url.startswith("https://checkout.stripe.com/")
    assert created.authorization == "Bearer sk_test_local"
    assert created.idempotency_key == f"zk-{order.id}-checkout-{GROSS_GROSZE}"
    [line] = created.params["line_items"]
    assert line["quantity"] == "1"
    assert line["price_data"]["currency"] == "pln"
    assert line["price_data"]["unit_amount"] == str(GROSS_GROSZE)
    assert order.number in line["price_data"]["product_data"]["name"]
    assert "3 x Hinge" in line["price_data"]["product_data"]["description"]
    assert created.params["metadata"] == {"order_id": str(order.id), "order_number": order.number}
    assert created.params["customer_email"] == buyer.email
    assert created.params["success_url"] == f"http://portal.test/payments/stripe/return/{order.id}"
    assert created.params["cancel_url"] == f"http://portal.test/orders/{order.id}"
    assert session["amount_total"] == GROSS_GROSZE
    assert info_of(order).payment_state is PaymentState.AWAITING


def test_paying_again_reuses_the_open_session(stripe_standin):
    _, order = card_order()
    first = services.start_card_payment(order)
    second = services.start_card_payment(order)
    assert first == second
    assert len(stripe_standin.creations()) == 1 and len(stripe_standin.sessions) == 1


def test_a_retry_after_a_lost_answer_gets_the_same_session(stripe_standin, monkeypatch):
    _, order = card_order()
    real_record = services.record_checkout_session

    def crash_once(order_id: int, session_id: str) -> None:
        monkeypatch.setattr(services, "record_checkout_session", real_record)
        raise ConnectionError("the worker died before recording the session")

    monkeypatch.setattr(services, "record_checkout_session", crash_once)
    with pytest.raises(ConnectionError):
        services.start_card_payment(order)
    assert info_of(order).stripe_session_id is None

    url = services.start_card_payment(order)
    first, second = stripe_standin.creations()
    assert first.idempotency_key == second.idempotency_key
    assert len(stripe_standin.sessions) == 1  # Stripe answered the retry with the same session
    [session_id] = stripe_standin.sessions
    assert info_of(order).stripe_session_id == session_id
    assert url == stripe_standin.sessions[session_id]["url"]


def test_an_expired_session_is_replaced(stripe_standin):
    _, order = card_order()
    services.start_card_payment(order)
    old = info_of(order).stripe_session_id
    stripe_standin.sessions[old].update(status="expired", url=None)

    url = services.start_card_payment(order)
    new = info_of(order).stripe_session_id
    assert new != old and url == stripe_standin.sessions[new]["url"]
    assert stripe_standin.creations()[-1].idempotency_key.endswith(f"-after-{old}")


def test_a_changed_total_expires_the_old_session_and_charges_the_new_total(stripe_standin):
    buyer, order = card_order()
    services.start_card_payment(order)
    old = info_of(order).stripe_session_id
    line = db.session.scalar(sa.select(DocumentLine).where(DocumentLine.document_id == order.id))
    change_line(order, line, Decimal("5"), actor=buyer)  # 5 x 12.34 = 61.70 + 14.19 VAT

    services.start_card_payment(order)
    assert stripe_standin.sessions[old]["status"] == "expired"
    new = stripe_standin.sessions[info_of(order).stripe_session_id]
    assert new["amount_total"] == 7589


@pytest.mark.parametrize("status", [500, 402])
def test_stripe_refusing_leaves_the_order_awaiting_and_retryable(stripe_standin, status):
    _, order = card_order()
    stripe_standin.fail_next(status)
    with pytest.raises(PaymentProviderError):
        services.start_card_payment(order)
    info = info_of(order)
    assert info.stripe_session_id is None and info.payment_state is PaymentState.AWAITING
    assert services.start_card_payment(order).startswith("https://checkout.stripe.com/")


def test_only_awaiting_card_orders_can_be_paid_by_card(stripe_standin):
    _, on_account = card_order(payment_method=PaymentMethod.ON_ACCOUNT)
    with pytest.raises(CardPaymentNotPossible):
        services.start_card_payment(on_account)

    _, order = card_order()
    handle_event(as_event(event("checkout.session.completed", paid_session(stripe_standin, order))))
    with pytest.raises(CardPaymentNotPossible, match="paid already"):
        services.start_card_payment(order)
    assert len(stripe_standin.creations()) == 1


def test_an_order_waiting_for_approval_is_paid_once_approved(stripe_standin):
    buyer, order = card_order(order_limit=Decimal("40.00"))  # 45.53 is above it
    with pytest.raises(CardPaymentNotPossible, match="approv"):
        services.start_card_payment(order)
    assert stripe_standin.requests == []

    admin = make_user(role=Role.PARTNER_ADMIN, company=db.session.get(Company, buyer.company_id))
    approve_order(order, actor=admin)
    assert services.start_card_payment(order).startswith("https://checkout.stripe.com/")


def test_stripe_is_never_called_inside_a_transaction(stripe_standin):
    from portal.core.db import atomic

    _, order = card_order()
    with pytest.raises(RuntimeError), atomic():
        services.start_card_payment(order)
    assert stripe_standin.requests == []


def test_a_completed_payment_marks_the_order_paid_and_queues_the_mail(stripe_standin):
    buyer, order = card_order()
    session = paid_session(stripe_standin, order)

    assert handle_event(as_event(event("checkout.session.completed", session))) is Outcome.PAID
    assert info_of(order).payment_state is PaymentState.PAID
    [row] = payment_rows(order)
    assert session["payment_intent"] in row.note
    [mail] = mails()
    assert mail.recipient == buyer.email
    assert order.number in mail.subject
    assert "PLN\u00a045.53" in mail.body_text
    assert f"http://portal.test/orders/{order.id}" in mail.body_text


def test_repeated_replayed_and_late_events_leave_one_payment(stripe_standin):
    _, order = card_order()
    session = paid_session(stripe_standin, order)
    completed = event("checkout.session.completed", session)

    assert handle_event(as_event(completed)) is Outcome.PAID
    assert handle_event(as_event(completed)) is Outcome.DUPLICATE
    replay = event("checkout.session.completed", session)  # same session, new event id
    assert handle_event(as_event(replay)) is Outcome.ALREADY_PAID
    succeeded = event("checkout.session.async_payment_succeeded", session)
    assert handle_event(as_event(succeeded)) is Outcome.ALREADY_PAID
    expired = event("checkout.session.expired", {**session, "status": "expired"})
    assert handle_event(as_event(expired)) is Outcome.IGNORED

    assert info_of(order).payment_state is PaymentState.PAID
    assert len(payment_rows(order)) == 1 and len(mails()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) == 4


def test_a_session_completed_but_not_yet_paid_changes_nothing(stripe_standin):
    _, order = card_order()
    services.start_card_payment(order)
    session = dict(stripe_standin.sessions[info_of(order).stripe_session_id], status="complete")
    assert handle_event(as_event(event("checkout.session.completed", session))) is Outcome.IGNORED
    assert info_of(order).payment_state is PaymentState.AWAITING and payment_rows(order) == []

    paid = stripe_standin.pay(session["id"])
    later = event("checkout.session.async_payment_succeeded", paid)
    assert handle_event(as_event(later)) is Outcome.PAID
    assert info_of(order).payment_state is PaymentState.PAID


def test_an_amount_that_does_not_match_the_order_is_not_taken_as_payment(stripe_standin, caplog):
    _, order = card_order()
    session = dict(paid_session(stripe_standin, order), amount_total=GROSS_GROSZE - 1)

    with caplog.at_level(logging.ERROR, logger="portal.payments"):
        outcome = handle_event(as_event(event("checkout.session.completed", session)))
    assert outcome is Outcome.AMOUNT_MISMATCH
    assert info_of(order).payment_state is PaymentState.AWAITING
    assert payment_rows(order) == [] and mails() == []
    assert f"order={order.id}" in caplog.text and "not marked paid" in caplog.text
    notes = db.session.scalars(
        sa.select(DocumentEvent.note).where(
            DocumentEvent.document_id == order.id, DocumentEvent.kind == EventKind.NOTE
        )
    ).all()
    assert len(notes) == 1 and "does not match" in notes[0]


def test_another_currency_is_not_taken_as_payment(stripe_standin):
    _, order = card_order()
    session = dict(paid_session(stripe_standin, order), currency="eur")
    outcome = handle_event(as_event(event("checkout.session.completed", session)))
    assert outcome is Outcome.AMOUNT_MISMATCH
    assert info_of(order).payment_state is PaymentState.AWAITING


def test_the_order_is_found_by_metadata_when_its_session_was_never_recorded(
    stripe_standin, monkeypatch
):
    _, order = card_order()
    monkeypatch.setattr(services, "record_checkout_session", lambda order_id, session_id: None)
    services.start_card_payment(order)
    assert info_of(order).stripe_session_id is None
    [session_id] = stripe_standin.sessions

    paid = stripe_standin.pay(session_id)
    assert handle_event(as_event(event("checkout.session.completed", paid))) is Outcome.PAID
    info = info_of(order)
    assert info.payment_state is PaymentState.PAID and info.stripe_session_id == session_id


def test_events_for_no_known_order_and_unknown_types_are_acknowledged(stripe_standin):
    stranger = {
        "id": "cs_test_stranger",
        "object": "checkout.session",
        "payment_status": "paid",
        "amount_total": 100,
        "currency": "pln",
        "metadata": {"order_id": "999999"},
    }
    outcome = handle_event(as_event(event("checkout.session.completed", stranger)))
    assert outcome is Outcome.UNKNOWN_ORDER
    other = event("customer.created", {"id": "cus_1", "object": "customer"})
    assert handle_event(as_event(other)) is Outcome.IGNORED
    assert db.session.get(StripeEvent, other["id"]) is not None
