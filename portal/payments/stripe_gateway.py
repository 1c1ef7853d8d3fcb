"""Stripe, behind a few plain functions: the only module that imports `stripe`.

Calls here go over the network, so callers make them outside database transactions and
record the answer in a second, short transaction. Everything returned is plain data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import stripe
from flask import current_app

from portal.core.errors import DomainError
from portal.core.i18n import gettext as _

log = logging.getLogger(__name__)

CURRENCY = "pln"
SIGNATURE_TOLERANCE = 300
"""Seconds: an older signed timestamp is refused, so a captured delivery cannot be replayed."""
CHECKOUT_LOCALES = {"en", "pl", "de"}


class PaymentProviderError(DomainError):
    """Stripe refused or could not be reached; the message is safe to show."""

    status = 502


class InvalidWebhook(Exception):
    """A webhook whose signature is missing, wrong or too old, or whose body is not an event."""


def minor_units(amount: Decimal) -> int:
    """PLN to grosze, exactly: refuses amounts with more than two decimal places."""
    units = amount.scaleb(2)
    if units != units.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of grosze")
    return int(units)


@dataclass(frozen=True)
class CardCharge:
    """What a Checkout Session charges for one order, taken from the order as plain values."""

    order_id: int
    order_number: str
    amount: int
    """Grosze: the order's gross total."""
    summary: str
    """What was ordered, shown on Stripe's page."""
    email: str | None
    language: str
    idempotency_key: str


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str | None
    """open, complete or expired"""
    payment_status: str | None
    amount_total: int | None


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    object: dict[str, Any]
    """event.data.object as plain dicts and lists."""


def _client() -> stripe.StripeClient:
    """One client per configuration: it keeps its HTTP connections between calls."""
    config = current_app.config
    key = (config["STRIPE_SECRET_KEY"], config.get("STRIPE_API_BASE") or "")
    cached = current_app.extensions.get("stripe_client")
    if cached is not None and cached[0] == key:
        client: stripe.StripeClient = cached[1]
        return client
    api_key, api_base = key
    if api_base:
        client = stripe.StripeClient(
            api_key, max_network_retries=0, base_addresses={"api": api_base}
        )
    else:
        client = stripe.StripeClient(api_key, max_network_retries=0)
    current_app.extensions["stripe_client"] = (key, client)
    return client


def _session(found: stripe.checkout.Session) -> CheckoutSession:
    return CheckoutSession(
        id=found.id,
        url=found.url,
        status=found.status,
        payment_status=found.payment_status,
        amount_total=found.amount_total,
    )


def _failure(
    error: stripe.StripeError, action: str, order_id: int | None = None
) -> PaymentProviderError:
    log.error(
        "stripe %s failed order=%s http_status=%s code=%s request_id=%s: %s",
        action,
        order_id,
        error.http_status,
        error.code,
        error.request_id,
        error.user_message or type(error).__name__,
    )
    return PaymentProviderError(
        _("The card payment could not be started. Please try again in a moment.")
    )


def create_checkout_session(
    charge: CardCharge, *, success_url: str, cancel_url: str
) -> CheckoutSession:
    """One Checkout Session for the order's gross total; the idempotency key makes a retry
    (a timeout, a double tap) answer with the same session instead of a second one."""
    # One line with the order's gross: per-line gross amounts would not add up to the
    # invoice's total (VAT is rounded once per rate) and Stripe takes only whole quantities.
    try:
        created = _client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": CURRENCY,
                            "unit_amount": charge.amount,
                            "product_data": {
                                "name": _("Order %(number)s", number=charge.order_number),
                                "description": charge.summary[:500] or charge.order_number,
                            },
                        },
                    }
                ],
                "metadata": {
                    "order_id": str(charge.order_id),
                    "order_number": charge.order_number,
                },
                "payment_intent_data": {
                    "description": charge.order_number,
                    "metadata": {
                        "order_id": str(charge.order_id),
                        "order_number": charge.order_number,
                    },
                },
                "client_reference_id": str(charge.order_id),
                "success_url": success_url,
                "cancel_url": cancel_url,
                "locale": charge.language if charge.language in CHECKOUT_LOCALES else "auto",
                **({"customer_email": charge.email} if charge.email else {}),
            },
            options={"idempotency_key": charge.idempotency_key},
        )
    except stripe.StripeError as error:
        raise _failure(error, "checkout session create", charge.order_id) from error
    log.info("stripe checkout session created order=%s session=%s", charge.order_id, created.id)
    return _session(created)


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    try:
        return _session(_client().v1.checkout.sessions.retrieve(session_id))
    except stripe.StripeError as error:
        raise _failure(error, "checkout session retrieve") from error


def expire_checkout_session(session_id: str) -> CheckoutSession:
    """Closes an open session nobody should pay any more (the order's total changed)."""
    try:
        return _session(_client().v1.checkout.sessions.expire(session_id))
    except stripe.StripeError as error:
        raise _failure(error, "checkout session expire") from error


def construct_event(payload: bytes, signature_header: str | None) -> WebhookEvent:
    """Verifies Stripe's signature over the raw body (with the 300 s tolerance) and parses it."""
    config = current_app.config
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature_header,
            config["STRIPE_WEBHOOK_SECRET"],
            tolerance=SIGNATURE_TOLERANCE,
            api_key=config.get("STRIPE_SECRET_KEY") or None,
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error).split(". ")[0]) from error
    except ValueError as error:  # not UTF-8, not JSON, or not an event
        raise InvalidWebhook("The body is not a Stripe event") from error
    values = event.to_dict()
    data = values.get("data") or {}
    found = data.get("object") if isinstance(data, dict) else None
    if not isinstance(values.get("id"), str) or not isinstance(found, dict):
        raise InvalidWebhook("The body is not a Stripe event")
    return WebhookEvent(id=values["id"], type=str(values.get("type", "")), object=found)


def refund(payment_intent_or_charge: str, amount_cents: int, idempotency_key: str) -> str:
    """Pays `amount_cents` back on a card payment (a PaymentIntent pi_..., a Charge ch_..., or
    the Checkout Session cs_... that took it); returns the refund's id. The idempotency key
    makes a retry answer with the first refund instead of paying back twice."""
    target = payment_intent_or_charge
    try:
        if target.startswith("cs_"):
            found = _client().v1.checkout.sessions.retrieve(target)
            intent = found.payment_intent
            target = intent if isinstance(intent, str) else getattr(intent, "id", "") or ""
        params: dict[str, Any] = {"amount": amount_cents}
        params["charge" if target.startswith("ch_") else "payment_intent"] = target
        created = _client().v1.refunds.create(
            params=params,  # type: ignore[arg-type]
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        log.error(
            "stripe refund failed target=%s http_status=%s code=%s request_id=%s",
            payment_intent_or_charge,
            error.http_status,
            error.code,
            error.request_id,
        )
        raise PaymentProviderError(
            _(
                "Stripe did not make the refund: %(error)s",
                error=error.user_message or type(error).__name__,
            )
        ) from error
    if created.status in ("failed", "canceled"):
        raise PaymentProviderError(
            _("Stripe did not make the refund: %(error)s", error=created.failure_reason or "")
        )
    log.info("stripe refund created refund=%s amount=%s", created.id, amount_cents)
    return str(created.id)
