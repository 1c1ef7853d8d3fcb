"""Card payments through Stripe Checkout: start one for an order, and take Stripe's word for
it from the webhook. Stripe is called outside transactions; the webhook is the only thing
that marks an order paid, once, however often and in whatever order events arrive."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.documents.models import Document, DocumentEvent, EventKind
from portal.notifications import outbox
from portal.orders.models import OrderInfo, OrderStatus, PaymentMethod, PaymentState, StatusType
from portal.orders.models import Step as OrderStep
from portal.orders.services import card_payments_enabled, mail_order, order_lines
from portal.payments import stripe_gateway
from portal.payments.models import StripeEvent
from portal.payments.stripe_gateway import CardCharge, CheckoutSession, WebhookEvent, minor_units

log = logging.getLogger(__name__)

PAID_EVENTS = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})


class CardPaymentNotPossible(DomainError):
    pass


class Outcome(enum.StrEnum):
    """What a webhook event did, for the log: every outcome is acknowledged to Stripe."""

    PAID = "paid"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    ALREADY_PAID = "already_paid"
    UNKNOWN_ORDER = "unknown_order"
    AMOUNT_MISMATCH = "amount_mismatch"


# --- starting a payment ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Started:
    charge: CardCharge
    previous_session_id: str | None


def _idempotency_key(order_id: int, amount: int, previous_session_id: str | None) -> str:
    """Derived from the order, so a retry reuses the session Stripe made; a changed total or
    an expired previous session gives a new key, because Stripe refuses a key reused with
    other parameters and would answer with the dead session for 24 hours."""
    key = f"zk-{order_id}-checkout-{amount}"
    return f"{key}-after-{previous_session_id}" if previous_session_id else key


def _payable(order: Document) -> _Started:
    info = db.session.get_one(OrderInfo, order.id)
    status = db.session.get_one(OrderStatus, order.status_id) if order.status_id else None
    if info.payment_method is not PaymentMethod.CARD:
        raise CardPaymentNotPossible(_("This order is not paid by card."))
    if info.payment_state is PaymentState.PAID:
        raise CardPaymentNotPossible(_("This order is paid already."))
    if info.payment_state is not PaymentState.AWAITING:
        raise CardPaymentNotPossible(_("This order does not wait for a payment."))
    if status is not None and status.type is StatusType.FAILURE:
        raise CardPaymentNotPossible(_("This order is %(status)s.", status=status.name))
    if status is not None and status.step is OrderStep.HOLD_FOR_APPROVAL:
        # The approver may still trim it, which would change the total to pay.
        raise CardPaymentNotPossible(
            _("This order waits for approval; you can pay by card once it is approved.")
        )
    amount = minor_units(order.gross_total)
    if amount <= 0:
        raise CardPaymentNotPossible(_("There is nothing to pay for this order."))
    buyer = db.session.get(User, order.user_id) if order.user_id else None
    summary = "; ".join(
        f"{format(line.quantity.normalize(), 'f')} x {line.name}" for line in order_lines(order)
    )
    previous = info.stripe_session_id
    return _Started(
        CardCharge(
            order_id=order.id,
            order_number=order.number or str(order.id),
            amount=amount,
            summary=summary,
            email=buyer.email if buyer else None,
            language=buyer.language if buyer else "en",
            idempotency_key=_idempotency_key(order.id, amount, previous),
        ),
        previous,
    )


def _reusable(charge: CardCharge, session: CheckoutSession) -> bool:
    return session.status == "open" and session.amount_total == charge.amount and bool(session.url)


def start_card_payment(order: Document) -> str:
    """Makes (or reuses) the order's Checkout Session and returns the URL to send the buyer
    to. Runs outside any transaction: Stripe is not called while the database waits."""
    if db.session.info.get("atomic_depth", 0):
        raise RuntimeError("start_card_payment calls Stripe: call it outside atomic()")
    if not card_payments_enabled():
        raise CardPaymentNotPossible(_("Card payments are not available."))
    with atomic():  # reads only; committing ends the transaction (SQLite: frees the lock)
        started = _payable(order)
    charge = started.charge
    success_url = outbox.absolute_url("payments.card_return", order_id=charge.order_id)
    cancel_url = outbox.absolute_url("orders.detail", order_id=charge.order_id)
    if started.previous_session_id:
        previous = stripe_gateway.retrieve_checkout_session(started.previous_session_id)
        if _reusable(charge, previous):
            assert previous.url is not None
            return previous.url
        if previous.status == "complete":
            raise CardPaymentNotPossible(
                _("Stripe has this payment already; we will confirm it as soon as Stripe tells us.")
            )
        if previous.status == "open":  # the order's total changed since: nobody pays the old one
            stripe_gateway.expire_checkout_session(previous.id)
    session = stripe_gateway.create_checkout_session(
        charge, success_url=success_url, cancel_url=cancel_url
    )
    record_checkout_session(charge.order_id, session.id)
    if not session.url:
        raise stripe_gateway.PaymentProviderError(
            _("The card payment could not be started. Please try again in a moment.")
        )
    return session.url


def record_checkout_session(order_id: int, session_id: str) -> None:
    """The second half of starting a payment: remember which session belongs to the order."""
    with atomic():
        info = db.session.get_one(OrderInfo, order_id)
        info.stripe_session_id = session_id


# --- the webhook -----------------------------------------------------------------------------


def handle_event(event: WebhookEvent) -> Outcome:
    """Applies one verified Stripe event, at most once per event id, in one transaction."""
    try:
        outcome = _apply(event)
    except sa.exc.IntegrityError:
        # The same event arrived twice at once (PostgreSQL): the other delivery has it.
        if db.session.get(StripeEvent, event.id) is None:
            raise
        outcome = Outcome.DUPLICATE
    log.info("stripe event id=%s type=%s outcome=%s", event.id, event.type, outcome)
    return outcome


def _apply(event: WebhookEvent) -> Outcome:
    with atomic():
        if db.session.get(StripeEvent, event.id) is not None:
            return Outcome.DUPLICATE
        db.session.add(StripeEvent(id=event.id[:255], type=event.type[:100]))
        db.session.flush()
        session = event.object
        if event.type not in PAID_EVENTS or session.get("payment_status") != "paid":
            # Expired, failed or still processing sessions change nothing: a late `expired`
            # must never undo a payment, and an unpaid order simply stays awaiting.
            return Outcome.IGNORED
        info = _locked_order_info(session)
        if info is None:
            log.warning(
                "stripe event id=%s session=%s names no card order",
                event.id,
                session.get("id"),
            )
            return Outcome.UNKNOWN_ORDER
        if info.payment_state is PaymentState.PAID:
            if info.stripe_session_id != session.get("id"):
                log.error(
                    "order=%s paid again through another session=%s: refund it in Stripe",
                    info.document_id,
                    session.get("id"),
                )
            return Outcome.ALREADY_PAID
        if info.payment_state is not PaymentState.AWAITING:
            log.warning(
                "order=%s is %s: stripe event id=%s left alone",
                info.document_id,
                info.payment_state,
                event.id,
            )
            return Outcome.IGNORED
        order = db.session.get_one(Document, info.document_id)
        expected = minor_units(order.gross_total)
        if session.get("amount_total") != expected or session.get("currency") != "pln":
            log.error(
                "order=%s stripe session=%s paid %s %s, the order is %s pln: not marked paid",
                order.id,
                session.get("id"),
                session.get("amount_total"),
                session.get("currency"),
                expected,
            )
            db.session.add(
                DocumentEvent(
                    document_id=order.id,
                    kind=EventKind.NOTE,
                    note=_(
                        "Stripe reported a card payment that does not match the order total; "
                        "staff will check it."
                    ),
                )
            )
            return Outcome.AMOUNT_MISMATCH
        _mark_paid(order, info, session)
    return Outcome.PAID


def _locked_order_info(session: dict[str, object]) -> OrderInfo | None:
    """The card order a session pays for: by the session id we recorded, or by the order id
    in its metadata (when recording the session failed after Stripe made it). Locked, so two
    different events for one order cannot both mark it paid."""
    session_id = session.get("id")
    metadata = session.get("metadata")
    order_id = metadata.get("order_id") if isinstance(metadata, dict) else None
    conditions = []
    if isinstance(session_id, str) and session_id:
        conditions.append(OrderInfo.stripe_session_id == session_id)
    if isinstance(order_id, str) and order_id.isdigit():
        conditions.append(OrderInfo.document_id == int(order_id))
    if not conditions:
        return None
    query = (
        sa.select(OrderInfo)
        .where(sa.or_(*conditions), OrderInfo.payment_method == PaymentMethod.CARD)
        .order_by(OrderInfo.document_id)
        .execution_options(populate_existing=True)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    found = list(db.session.scalars(query))
    by_session = [info for info in found if info.stripe_session_id == session_id]
    candidates = by_session or found
    return candidates[0] if candidates else None


def _mark_paid(order: Document, info: OrderInfo, session: dict[str, object]) -> None:
    info.payment_state = PaymentState.PAID
    session_id = session.get("id")
    if info.stripe_session_id is None and isinstance(session_id, str):
        info.stripe_session_id = session_id
    reference = session.get("payment_intent") or session_id
    db.session.add(
        DocumentEvent(
            document_id=order.id,
            kind=EventKind.PAYMENT,
            note=_("Paid by card through Stripe (%(reference)s)", reference=reference),
        )
    )
    buyer = db.session.get(User, order.user_id) if order.user_id else None
    if buyer is not None:
        mail_order("payments/received", order, buyer)
