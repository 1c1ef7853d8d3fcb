"""Stripe over HTTP: the signed webhook is the only thing that marks an order paid; the
return page and "Pay by card" are for the order's own people, and only with Stripe set up."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.core.db import db
from portal.orders.models import PaymentState
from portal.orders.services import card_payments_enabled
from portal.payments import services
from portal.payments.models import StripeEvent
from tests.conftest import app_config
from tests.services.payments.helpers import card_order, info_of, mails, payment_rows
from tests.stripe_standin import (  # noqa: F401
    event,
    signature_header,
    signed_webhook,
    stripe_standin_fixture,
)

WEBHOOK = "/payments/stripe/webhook"


def deliver(client, payload: dict, **signing):
    body, header = signed_webhook(payload, **signing)
    return client.post(
        WEBHOOK, data=body, headers={"Stripe-Signature": header}, content_type="application/json"
    )


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StripeEvent)) or 0


@pytest.fixture
def paid(stripe_standin):
    """A card order whose buyer has just paid on Stripe's page, and the session as it is now."""
    buyer, order = card_order()
    services.start_card_payment(order)
    session = stripe_standin.pay(info_of(order).stripe_session_id)
    return buyer, order, session


def test_a_signed_completed_event_marks_the_order_paid(client, paid):
    buyer, order, session = paid
    response = deliver(client, event("checkout.session.completed", session))
    assert response.status_code == 200
    assert response.get_json() == {"received": True}
    assert info_of(order).payment_state is PaymentState.PAID
    [mail] = mails()
    assert mail.recipient == buyer.email and order.number in mail.subject


def test_duplicates_replays_and_a_late_expiry_leave_one_payment(client, paid):
    _, order, session = paid
    completed = event("checkout.session.completed", session)
    for payload in (
        completed,
        completed,
        event("checkout.session.completed", session),
        event("checkout.session.expired", {**session, "status": "expired"}),
    ):
        response = deliver(client, payload)
        assert response.status_code == 200 and response.get_json() == {"received": True}
    assert info_of(order).payment_state is PaymentState.PAID
    assert len(payment_rows(order)) == 1 and len(mails()) == 1


def test_an_unknown_event_type_is_acknowledged_and_ignored(client, paid):
    _, order, _ = paid
    response = deliver(client, event("invoice.paid", {"id": "in_1", "object": "invoice"}))
    assert response.status_code == 200 and response.get_json() == {"received": True}
    assert info_of(order).payment_state is PaymentState.AWAITING


def refused(response) -> bool:
    body = response.get_json()
    return (
        response.status_code == 400
        and body["error"]["status"] == 400
        and "Stripe" in body["error"]["message"]
    )


def tampered(payload: dict) -> tuple[bytes, str]:
    body, header = signed_webhook(payload)
    cheaper = json.loads(body)
    cheaper["data"]["object"]["amount_total"] = 1
    return json.dumps(cheaper).encode(), header


@pytest.mark.parametrize(
    "make_request",
    [
        pytest.param(lambda p: signed_webhook(p, secret="whsec_someone_else"), id="wrong-secret"),
        pytest.param(lambda p: (signed_webhook(p)[0], None), id="missing-header"),
        pytest.param(lambda p: (signed_webhook(p)[0], "t=1,v0=abc"), id="garbled-header"),
        pytest.param(tampered, id="tampered-body"),
        pytest.param(
            lambda p: signed_webhook(p, timestamp=int(time.time()) - 301), id="stale-timestamp"
        ),
    ],
)
def test_an_unverifiable_webhook_gets_400_and_changes_nothing(client, paid, make_request):
    _, order, session = paid
    body, header = make_request(event("checkout.session.completed", session))
    headers = {"Stripe-Signature": header} if header else {}
    response = client.post(WEBHOOK, data=body, headers=headers, content_type="application/json")
    assert refused(response), response.get_data(as_text=True)
    assert info_of(order).payment_state is PaymentState.AWAITING
    assert event_count() == 0 and payment_rows(order) == [] and mails() == []


def test_a_delivery_within_the_five_minute_tolerance_is_accepted(client, paid):
    _, order, session = paid
    payload = event("checkout.session.completed", session)
    response = deliver(client, payload, timestamp=int(time.time()) - 240)
    assert response.status_code == 200
    assert info_of(order).payment_state is PaymentState.PAID


def test_a_signed_body_that_is_not_an_event_gets_400(client, stripe_standin):
    for body in (b"not json", b"\xff\xfe", json.dumps({"id": "x", "object": "customer"}).encode()):
        headers = {"Stripe-Signature": signature_header(body)}
        response = client.post(WEBHOOK, data=body, headers=headers)
        assert refused(response), body
    assert event_count() == 0


def test_the_return_page_thanks_the_buyer_but_does_not_mark_paid(login, paid):
    buyer, order, _ = paid
    client = login(buyer)
    response = client.get(f"/payments/stripe/return/{order.id}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/orders/{order.id}"
    with client.session_transaction() as session:
        [(_, message)] = session["_flashes"]
    assert "as soon as Stripe tells us" in message
    assert info_of(order).payment_state is PaymentState.AWAITING


def test_another_companys_order_is_not_found(login, paid, stripe_standin):
    _, order, _ = paid
    stranger, _ = card_order()
    client = login(stranger)
    assert client.get(f"/payments/stripe/return/{order.id}").status_code == 404
    assert client.post(f"/payments/orders/{order.id}/card").status_code == 404
    assert len(stripe_standin.creations()) == 1


def test_pay_by_card_sends_the_buyer_to_stripe_once(login, stripe_standin):
    buyer, order = card_order()
    client = login(buyer)
    first = client.post(f"/payments/orders/{order.id}/card")
    assert first.status_code == 303
    assert first.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    again = client.post(f"/payments/orders/{order.id}/card", headers={"HX-Request": "true"})
    assert again.status_code == 204
    assert again.headers["HX-Redirect"] == first.headers["Location"]
    assert len(stripe_standin.creations()) == 1
    csp = first.headers["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com" in csp


def test_pay_by_card_explains_when_stripe_fails(login, stripe_standin):
    buyer, order = card_order()
    client = login(buyer)
    stripe_standin.fail_next(500)
    response = client.post(f"/payments/orders/{order.id}/card")
    assert response.status_code == 303 and response.headers["Location"] == f"/orders/{order.id}"
    with client.session_transaction() as session:
        [(category, message)] = session["_flashes"]
    assert category == "error" and "try again" in message
    assert info_of(order).payment_state is PaymentState.AWAITING


def test_without_stripe_settings_the_card_routes_do_not_exist(app, login, paid, stripe_standin):
    buyer, order, session = paid
    client = login(buyer)
    app.config.update(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="", STRIPE_API_BASE="")
    with app.test_request_context():
        assert card_payments_enabled() is False
    assert client.get(f"/payments/stripe/return/{order.id}").status_code == 404
    assert client.post(f"/payments/orders/{order.id}/card").status_code == 404
    assert deliver(client, event("checkout.session.completed", session)).status_code == 404
    assert info_of(order).payment_state is PaymentState.AWAITING


def test_the_webhook_needs_no_csrf_token(app, tmp_path):
    strict = create_app(
        app_config(
            tmp_path,
            app.config["SQLALCHEMY_DATABASE_URI"],
            WTF_CSRF_ENABLED=True,
            STRIPE_SECRET_KEY="sk_test_local",
            STRIPE_WEBHOOK_SECRET="whsec_test",
        )
    )
    try:
        # A wrong signature reaches the view (its own 400), not Flask-WTF's CSRF refusal.
        body, header = signed_webhook({"id": "evt_1", "object": "event"}, secret="whsec_wrong")
        response = strict.test_client().post(
            WEBHOOK, data=body, headers={"Stripe-Signature": header}
        )
        assert refused(response)
    finally:
        with strict.app_context():
            db.engine.dispose()
