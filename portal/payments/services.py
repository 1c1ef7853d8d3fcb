"""Card payments through Stripe Checkout: start one for an order, and take Stripe's word for
it from the webhook. Stripe is called outside transactions; the webhook is the only thing
that marks an order paid, once, however often and in whatever order events arrive."""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company, User
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO
from portal.core.templating import money
from portal.documents.models import (
    PAYMENT_KINDS,
    SALES_KINDS,
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentState,
    EventKind,
)
from portal.documents.services import add_event, issue, link
from portal.documents.totals import RateTotal, Totals
from portal.notifications import outbox
from portal.orders.models import OrderInfo, OrderStatus, PaymentMethod, PaymentState, StatusType
from portal.orders.models import Step as OrderStep
from portal.orders.services import card_payments_enabled, mail_order, order_lines
from portal.payments import stripe_gateway
from portal.payments.models import PaymentAllocation, PaymentChannel, PaymentInfo, StripeEvent
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
    reference = str(session.get("payment_intent") or session_id or "")
    # The card payment is a KP allocated to the order until its invoice takes it over; the
    # allocation's event on the order is the order's "paid" line on its timeline.
    company = db.session.get_one(Company, order.company_id)
    record_payment(
        DocumentKind.KP,
        company,
        order.gross_total,
        on=local_today(),
        channel=PaymentChannel.CARD,
        reference=reference,
        actor=None,
        allocations=[(order, order.gross_total)],
        order=order,
        note=_("Paid by card through Stripe (%(reference)s)", reference=reference),
    )
    buyer = db.session.get(User, order.user_id) if order.user_id else None
    if buyer is not None:
        mail_order("payments/received", order, buyer)


# --- payments and their allocations ----------------------------------------------------------

ALLOCATABLE_KINDS = SALES_KINDS | {DocumentKind.ZK}
"""What a payment can be allocated to: invoices, receipts, corrections, and a prepaid order
until its invoice is issued."""


class PaymentRefused(DomainError):
    """A payment or an allocation that the rules refuse; `field` says which input it is about:
    "amount", or "document-<id>" for one allocation."""

    def __init__(self, message: str, *, field: str = "amount") -> None:
        super().__init__(message)
        self.field = field


def _locked(ids: Sequence[int]) -> dict[int, Document]:
    """The documents, fresh from the database and, on PostgreSQL, locked in id order, so two
    allocations to the same invoice queue instead of both seeing the old open amount."""
    query = (
        sa.select(Document)
        .where(Document.id.in_(sorted(set(ids))))
        .order_by(Document.id)
        .execution_options(populate_existing=True)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    return {document.id: document for document in db.session.scalars(query)}


def open_for(payment_kind: DocumentKind, document: Document) -> Decimal:
    """How much of `payment_kind` the document can still take: a KP pays what the partner
    owes (positive open amounts); a KW refunds what we owe (negative ones, e.g. a KOR)."""
    open_amount = document.gross_total - document.paid_total
    if payment_kind is DocumentKind.KP:
        return max(open_amount, ZERO)
    return max(-open_amount, ZERO)


def settle_with_correction(correction: Document, invoice: Document, *, actor: User | None) -> None:
    """A correction that lowers the debt first settles what is still open on its invoice, as
    a payment would (an allocation of the KOR to the FS): the invoice then shows what is
    really owed and is not overdue for goods that came back; only the rest is a credit,
    refunded by a KW or left on the statement. What the partner owes in all is unchanged."""
    amount = min(open_for(DocumentKind.KP, invoice), open_for(DocumentKind.KW, correction))
    if amount <= 0:
        return
    _allocate_row(correction, invoice, amount, actor=actor)
    correction.paid_total -= amount


def _allocate_all(
    payment: Document,
    allocations: Sequence[tuple[Document, Decimal]],
    *,
    actor: User | None,
) -> list[PaymentAllocation]:
    """Checks every allocation before changing anything, then applies them all."""
    locked = _locked([payment.id, *(document.id for document, _ in allocations)])
    payment = locked[payment.id]
    rest = payment.gross_total - payment.paid_total
    seen: set[int] = set()
    checked: list[tuple[Document, Decimal]] = []
    for given, amount in allocations:
        document = locked[given.id]
        field = f"document-{document.id}"
        if amount <= 0:
            raise PaymentRefused(_("Enter an amount above zero."), field=field)
        if document.id in seen:
            raise PaymentRefused(_("Each document can be allocated once."), field=field)
        seen.add(document.id)
        if (
            document.company_id != payment.company_id
            or document.kind not in ALLOCATABLE_KINDS
            or document.state is not DocumentState.ISSUED
            or (document.kind is DocumentKind.ZK and payment.kind is not DocumentKind.KP)
        ):
            raise PaymentRefused(
                _("%(number)s cannot take this payment.", number=document.number), field=field
            )
        available = open_for(payment.kind, document)
        if amount > available:
            raise PaymentRefused(
                _(
                    "%(number)s has only %(open)s open; %(amount)s is more than that.",
                    number=document.number,
                    open=money(available),
                    amount=money(amount),
                ),
                field=field,
            )
        checked.append((document, amount))
    total = sum((amount for _, amount in checked), ZERO)
    if total > rest:
        raise PaymentRefused(
            _(
                "The allocations add up to %(total)s, more than the %(rest)s left of "
                "payment %(number)s.",
                total=money(total),
                rest=money(rest),
                number=payment.number or _("this payment"),
            )
        )
    rows = []
    for document, amount in checked:
        rows.append(_allocate_row(payment, document, amount, actor=actor))
        payment.paid_total += amount
    if checked:
        add_event(
            payment,
            EventKind.PAYMENT,
            actor=actor,
            note=", ".join(
                _("%(amount)s to %(number)s", amount=money(amount), number=document.number)
                for document, amount in checked
            ),
        )
    db.session.flush()
    return rows


def _allocate_row(
    payment: Document, document: Document, amount: Decimal, *, actor: User | None
) -> PaymentAllocation:
    """One allocation: the document's paid total moves toward its gross (down for a KW). The
    payment may be a correction that lowers the debt (settle_with_correction): it settles as
    money in would, and is linked to its invoice already (the other way round)."""
    row = PaymentAllocation(
        payment_id=payment.id,
        document_id=document.id,
        amount=amount,
        allocated_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    document.paid_total += -amount if payment.kind is DocumentKind.KW else amount
    is_payment = payment.kind in PAYMENT_KINDS
    if is_payment:
        link(payment, document)
    reference = f" ({payment.reference})" if is_payment and payment.reference else ""
    add_event(
        document,
        EventKind.PAYMENT,
        actor=actor,
        note=_(
            "%(amount)s from %(number)s%(reference)s",
            amount=money(amount),
            number=payment.number,
            reference=reference,
        ),
    )
    if document.kind is DocumentKind.ZK:
        _mark_order_prepaid(document)
    return row


def _mark_order_prepaid(order: Document) -> None:
    """A prepaid order (transfer or card) whose payments cover it is paid."""
    info = db.session.get(OrderInfo, order.id)
    if (
        info is not None
        and info.payment_state is PaymentState.AWAITING
        and order.paid_total >= order.gross_total
    ):
        info.payment_state = PaymentState.PAID


def record_payment(
    kind: DocumentKind,
    company: Company,
    amount: Decimal,
    *,
    on: date,
    channel: PaymentChannel,
    reference: str = "",
    actor: User | None,
    allocations: Sequence[tuple[Document, Decimal]] = (),
    order: Document | None = None,
    note: str = "",
) -> Document:
    """Issues a KP (money in) or KW (money out) for `amount` and allocates it, partly or fully,
    across documents; refuses the whole payment when any allocation is wrong."""
    if kind not in PAYMENT_KINDS:
        raise ValueError(f"{kind} is not a payment")
    if amount <= 0:
        raise PaymentRefused(_("Enter an amount above zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise PaymentRefused(_("Enter the amount in złoty and grosze (two decimal places)."))
    if order is None:
        order = next((d for d, _ in allocations if d.kind is DocumentKind.ZK), None)
    with atomic():
        payment, _lines = issue(
            kind,
            on=on,
            actor=actor,
            company_id=company.id,
            reference=reference.strip()[:100],
            note=note,
            event_note=note,
            totals=Totals((RateTotal(ZERO, amount, ZERO),)),
        )
        db.session.add(
            PaymentInfo(
                document_id=payment.id, channel=channel, order_id=order.id if order else None
            )
        )
        if order is not None:
            link(order, payment)
        _allocate_all(payment, allocations, actor=actor)
    return payment


def allocate(
    payment: Document, document: Document, amount: Decimal, *, actor: User | None
) -> PaymentAllocation:
    """Allocates (part of) what is left of a payment to one more document."""
    if payment.kind not in PAYMENT_KINDS:
        raise ValueError(f"{payment.kind} is not a payment")
    with atomic():
        [row] = _allocate_all(payment, [(document, amount)], actor=actor)
    return row


def allocate_prepayments(
    order: Document, invoice: Document, *, actor: User | None = None
) -> Decimal:
    """Moves what was paid in advance for an order from the order onto its invoice (up to what
    the invoice asks); a rest stays on the order for its next invoice. Returns what moved."""
    moved_total = ZERO
    with atomic():
        locked = _locked([order.id, invoice.id])
        order, invoice = locked[order.id], locked[invoice.id]
        rows = list(
            db.session.scalars(
                sa.select(PaymentAllocation)
                .where(PaymentAllocation.document_id == order.id)
                .order_by(PaymentAllocation.id)
            )
        )
        payments = _locked([row.payment_id for row in rows]) if rows else {}
        for row in rows:
            wanted = open_for(DocumentKind.KP, invoice)
            move = min(row.amount, wanted)
            if move <= 0:
                break
            payment = payments[row.payment_id]
            if move == row.amount:
                db.session.delete(row)
            else:
                row.amount -= move
            order.paid_total -= move
            _allocate_row(payment, invoice, move, actor=actor)
            moved_total += move
        if moved_total:
            add_event(
                order,
                EventKind.PAYMENT,
                actor=actor,
                note=_(
                    "%(amount)s paid in advance moved to %(number)s",
                    amount=money(moved_total),
                    number=invoice.number,
                ),
            )
        db.session.flush()
    return moved_total
