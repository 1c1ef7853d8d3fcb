"""Resolving an inspected RMA, line by line as the customer asked and staff accepted.

- refund / credit: a corrective invoice (KOR) against the FS or PA that invoiced the delivered
  line, for the accepted quantity, less the restocking fee of the policy in force on the
  delivery date (returns only; charged on a document of the invoice's kind). The KOR lowers
  what the partner owes, or becomes a credit on its statement.
- refund: besides, money back for what was already paid: a card-paid order through Stripe's
  refund API (idempotency key per RMA and KOR, so a retry never refunds twice), otherwise a
  bank transfer (KW) allocated to the KOR. A Stripe failure leaves the RMA "refund failed"
  with the error shown, for staff to retry.
- replacement: a new order (ZK) at zero price through the normal pipeline (status "new", it
  reserves stock), possibly placed already at approval ("ship in advance").
- repair: no money moves; the timeline says so.

What to refund is computed from the documents every time (`refund_parts`), so resolving and
retrying agree, and once a part is refunded it is not refunded again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company, User
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, round_money
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentState,
    EventKind,
)
from portal.documents.numbering import allocate_number
from portal.documents.services import LineDraft, add_event, issue, link
from portal.fulfilment.models import Shipment
from portal.invoicing.services import LineChange, issue_correction
from portal.orders.models import (
    DeliveryMethod,
    OrderInfo,
    PaymentMethod,
    PaymentState,
    Step,
)
from portal.orders.statuses import status_event, status_for
from portal.payments import stripe_gateway
from portal.payments.models import PaymentChannel, PaymentInfo
from portal.returns.handling import ClaimLine, HandlingError, claim_lines, info_of
from portal.returns.models import RefundState, Resolution, ReturnPolicy, RmaKind, RmaStatus
from portal.returns.states import move_rma
from portal.stock.models import StockLevel, Warehouse

log = logging.getLogger(__name__)

INVOICE_KINDS = (DocumentKind.FS, DocumentKind.PA)
MONEY_RESOLUTIONS = frozenset({Resolution.REFUND, Resolution.CREDIT})
RESTOCKING_SKU = "RESTOCKING"


class ResolutionError(DomainError):
    pass


@dataclass(frozen=True)
class RefundPart:
    """Money to pay back against one KOR: by card (the order's payment intent) or transfer."""

    correction: Document
    amount: Decimal
    payment_intent: str | None

    @property
    def idempotency_key(self) -> str:
        cents = stripe_gateway.minor_units(self.amount)
        return f"rma-refund-kor-{self.correction.id}-{cents}"


@dataclass
class Resolved:
    corrections: list[Document]
    fees: list[Document]
    replacement: Document | None
    payments: list[Document]


# --- finding the invoice ----------------------------------------------------------------------


def _invoice_lines(claims: Sequence[ClaimLine]) -> dict[int, DocumentLine]:
    """Delivered (WZ) line id -> the FS/PA line that invoiced it."""
    ids = [claim.delivered.id for claim in claims]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(DocumentLine)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            DocumentLine.source_line_id.in_(ids),
            Document.kind.in_(INVOICE_KINDS),
            Document.state == DocumentState.ISSUED,
        )
        .order_by(DocumentLine.id)
    )
    found: dict[int, DocumentLine] = {}
    for row in rows:
        assert row.source_line_id is not None
        found.setdefault(row.source_line_id, row)
    return found


def policy_on(day: date) -> ReturnPolicy | None:
    """The return policy in force on a day (the delivery date of a line)."""
    return db.session.scalar(
        sa.select(ReturnPolicy)
        .where(ReturnPolicy.valid_from <= day)
        .order_by(ReturnPolicy.valid_from.desc())
        .limit(1)
    )


def _delivered_on(delivery_note_ids: set[int]) -> dict[int, date]:
    rows = db.session.execute(
        sa.select(Shipment.delivery_note_id, Shipment.delivered_at, Shipment.shipped_at).where(
            Shipment.delivery_note_id.in_(delivery_note_ids)
        )
    )
    found: dict[int, date] = {}
    for note_id, delivered_at, shipped_at in rows:
        when: datetime | None = delivered_at or shipped_at
        if when is not None:
            found[note_id] = when.date()
    return found


# --- resolve ----------------------------------------------------------------------------------


def resolve(rma: Document, *, actor: User, on: date | None = None) -> Resolved:
    """Resolves an inspected RMA (see the module's description); then card refunds are made
    through Stripe, outside the transaction, and their outcome recorded."""
    on = on or local_today()
    with atomic():
        info = info_of(rma, fresh=True)
        if info.status is not RmaStatus.INSPECTED:
            raise ResolutionError(
                _("Inspect the goods of %(number)s before resolving it.", number=rma.number)
            )
        claims = claim_lines(rma)
        money_claims = [
            claim
            for claim in claims
            if claim.rma.resolution in MONEY_RESOLUTIONS and (claim.rma.accepted_quantity or 0) > 0
        ]
        corrections, fees = _correct_invoices(rma, info.kind, money_claims, actor=actor, on=on)
        info.restocking_fee = sum((fee.gross_total for fee in fees), ZERO)
        replacement = None
        if any(claim.rma.resolution is Resolution.REPLACEMENT for claim in claims):
            replacement = place_replacement(rma, actor=actor, in_advance=False)
        notes = []
        if any(claim.rma.resolution is Resolution.REPAIR for claim in claims):
            notes.append(_("Repair: the goods are repaired and sent back; no money moves."))
        payments: list[Document] = []
        card_parts: list[RefundPart] = []
        if any(claim.rma.resolution is Resolution.REFUND for claim in money_claims):
            refund_corrections = [
                kor
                for kor, claim_group in corrections
                if any(c.rma.resolution is Resolution.REFUND for c in claim_group)
            ]
            parts = refund_parts(refund_corrections)
            info.refund_amount = sum((part.amount for part in parts), ZERO)
            for part in parts:
                if part.payment_intent is None:
                    payments.append(_book_refund(rma, part, actor=actor, on=on, reference=""))
                else:
                    card_parts.append(part)
            if card_parts:
                info.refund_state = RefundState.PENDING
            elif parts:
                info.refund_state = RefundState.REFUNDED
        move_rma(rma, info, RmaStatus.RESOLVED, actor=actor, note=" ".join(notes))
        db.session.flush()
    resolved = Resolved([kor for kor, _group in corrections], fees, replacement, payments)
    if card_parts:
        resolved.payments += _card_refunds(rma, actor=actor, on=on)
    log.info("rma resolved id=%s kor=%s", rma.id, [kor.number for kor in resolved.corrections])
    return resolved


def _correct_invoices(
    rma: Document,
    kind: RmaKind,
    claims: Sequence[ClaimLine],
    *,
    actor: User,
    on: date,
) -> tuple[list[tuple[Document, list[ClaimLine]]], list[Document]]:
    if not claims:
        return [], []
    invoiced = _invoice_lines(claims)
    by_invoice: dict[int, list[tuple[ClaimLine, DocumentLine]]] = defaultdict(list)
    for claim in claims:
        line = invoiced.get(claim.delivered.id)
        if line is None:
            raise ResolutionError(
                _(
                    "%(sku)s has not been invoiced yet: invoice its delivery first, then "
                    "resolve the return.",
                    sku=claim.line.sku,
                )
            )
        by_invoice[line.document_id].append((claim, line))
    delivered = _delivered_on({claim.delivered.document_id for claim in claims})
    corrections: list[tuple[Document, list[ClaimLine]]] = []
    fees: list[Document] = []
    for invoice_id in sorted(by_invoice):
        pairs = by_invoice[invoice_id]
        invoice = db.session.get_one(Document, invoice_id)
        merged: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for claim, line in pairs:
            merged[line.id] += claim.rma.accepted_quantity or ZERO
        correction = issue_correction(
            invoice,
            [LineChange(line_id=line_id, returned=qty) for line_id, qty in sorted(merged.items())],
            actor=actor,
            reason=_("Return %(number)s", number=rma.number),
            on=on,
        )
        link(rma, correction)
        corrections.append((correction, [claim for claim, _line in pairs]))
        if kind is RmaKind.RETURN:
            fee = _restocking_fee(rma, invoice, correction, pairs, delivered, actor=actor, on=on)
            if fee is not None:
                fees.append(fee)
    return corrections, fees


def _restocking_fee(
    rma: Document,
    invoice: Document,
    correction: Document,
    pairs: Sequence[tuple[ClaimLine, DocumentLine]],
    delivered: dict[int, date],
    *,
    actor: User,
    on: date,
) -> Document | None:
    """The fee of the policy in force on each line's delivery date, per VAT rate, charged on a
    document of the invoice's kind (FS or PA) linked to the KOR, the invoice and the RMA."""
    rows = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == correction.id)
    ).all()
    percent_of_line: dict[int, Decimal] = {}
    for claim, line in pairs:
        day = delivered.get(claim.delivered.document_id, invoice.issued_on or on)
        policy = policy_on(day)
        percent_of_line[line.id] = policy.restocking_fee_percent if policy else ZERO
    per_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        percent = percent_of_line.get(row.source_line_id or 0, ZERO)
        if percent > 0 and row.net < 0:
            per_rate[row.vat_percent] += round_money(-row.net * percent / 100)
    drafts = [
        LineDraft(
            sku=RESTOCKING_SKU,
            name=_("Restocking fee, return %(number)s", number=rma.number),
            unit="pcs",
            quantity=Decimal(1),
            unit_price=amount,
            vat_percent=rate,
        )
        for rate, amount in sorted(per_rate.items())
        if amount > 0
    ]
    if not drafts:
        return None
    company = db.session.get_one(Company, invoice.company_id)
    fee, _rows = issue(
        invoice.kind,
        on=on,
        actor=actor,
        lines=drafts,
        sources=[invoice, correction, rma],
        company_id=invoice.company_id,
        user_id=invoice.user_id,
        warehouse_id=invoice.warehouse_id,
        due_on=on.fromordinal(on.toordinal() + company.payment_terms_days),
        reference=rma.number or "",
        note=_("Restocking fee, return %(number)s", number=rma.number),
    )
    from portal.documents.pdf import store_pdf

    store_pdf(fee)
    return fee


# --- refunds ----------------------------------------------------------------------------------


def _chain_of(correction: Document) -> list[Document]:
    """The invoice a KOR corrects, all its corrections, and the fees charged on them."""
    invoice_id = db.session.scalar(
        sa.select(DocumentLink.source_id)
        .join(Document, Document.id == DocumentLink.source_id)
        .where(DocumentLink.target_id == correction.id, Document.kind.in_(INVOICE_KINDS))
        .order_by(DocumentLink.source_id)
        .limit(1)
    )
    if invoice_id is None:
        return [correction]
    led = sa.select(DocumentLink.target_id).where(DocumentLink.source_id == invoice_id)
    kor_ids = list(
        db.session.scalars(
            sa.select(Document.id).where(Document.id.in_(led), Document.kind == DocumentKind.KOR)
        )
    )
    fee_ids = list(
        db.session.scalars(
            sa.select(DocumentLink.target_id)
            .join(Document, Document.id == DocumentLink.target_id)
            .join(DocumentLine, DocumentLine.document_id == Document.id)
            .where(
                DocumentLink.source_id.in_(kor_ids),
                Document.kind.in_(INVOICE_KINDS),
                DocumentLine.sku == RESTOCKING_SKU,
            )
            .distinct()
        )
    )
    ids = sorted({invoice_id, *kor_ids, *fee_ids})
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.id.in_(ids))
            .execution_options(populate_existing=True)
            .order_by(Document.id)
        )
    )


def _payment_intent(invoice_id: int) -> str | None:
    """The Stripe payment of the card-paid order an invoice was issued for, if any."""
    orders = sa.select(DocumentLink.source_id).where(DocumentLink.target_id == invoice_id)
    return db.session.scalar(
        sa.select(Document.reference)
        .join(PaymentInfo, PaymentInfo.document_id == Document.id)
        .join(OrderInfo, OrderInfo.document_id == PaymentInfo.order_id)
        .where(
            PaymentInfo.order_id.in_(orders),
            PaymentInfo.channel == PaymentChannel.CARD,
            OrderInfo.payment_method == PaymentMethod.CARD,
            Document.kind == DocumentKind.KP,
            Document.reference != "",
        )
        .order_by(Document.id)
        .limit(1)
    )


def refund_parts(corrections: Sequence[Document]) -> list[RefundPart]:
    """Per KOR: what the partner paid beyond what it now owes on that invoice (its corrections
    and fees counted), at most what the KOR still credits. Zero once it has been paid back."""
    parts = []
    for correction in corrections:
        chain = _chain_of(correction)
        owed = sum((doc.gross_total - doc.paid_total for doc in chain), ZERO)
        kor = next(doc for doc in chain if doc.id == correction.id)
        credit_left = -(kor.gross_total - kor.paid_total)
        amount = min(max(-owed, ZERO), max(credit_left, ZERO))
        if amount <= 0:
            continue
        invoice = next((doc for doc in chain if doc.kind in INVOICE_KINDS), None)
        intent = _payment_intent(invoice.id) if invoice is not None else None
        parts.append(RefundPart(kor, amount, intent))
    return parts


def _book_refund(
    rma: Document, part: RefundPart, *, actor: User | None, on: date, reference: str
) -> Document:
    from portal.payments.services import record_payment

    company = db.session.get_one(Company, part.correction.company_id)
    payment = record_payment(
        DocumentKind.KW,
        company,
        part.amount,
        on=on,
        channel=PaymentChannel.CARD if part.payment_intent else PaymentChannel.BANK_TRANSFER,
        reference=reference or rma.number or "",
        actor=actor,
        allocations=[(part.correction, part.amount)],
        note=_("Refund, return %(number)s", number=rma.number),
    )
    link(rma, payment)
    return payment


def _card_refunds(rma: Document, *, actor: User | None, on: date) -> list[Document]:
    """Calls Stripe for every card part still open (no transaction is open meanwhile), then
    records each answer in a short transaction of its own."""
    corrections = _refund_corrections(rma)
    parts = [part for part in refund_parts(corrections) if part.payment_intent]
    booked: list[Document] = []
    if not db.session.info.get("atomic_depth", 0):
        db.session.commit()  # nothing may hold the database while Stripe is called
    for part in parts:
        assert part.payment_intent is not None
        try:
            refund_id = stripe_gateway.refund(
                part.payment_intent,
                stripe_gateway.minor_units(part.amount),
                idempotency_key=part.idempotency_key,
            )
        except stripe_gateway.PaymentProviderError as error:
            _refund_failed(rma, error.message, actor=actor)
            return booked
        with atomic():
            info = info_of(rma, fresh=True)
            again = [
                p
                for p in refund_parts([part.correction])
                if p.amount == part.amount and p.payment_intent
            ]
            if again:  # not booked by a concurrent retry meanwhile
                booked.append(_book_refund(rma, part, actor=actor, on=on, reference=refund_id))
            ids = [i for i in (info.stripe_refund_id or "").split(",") if i]
            if refund_id not in ids:
                ids.append(refund_id)
            info.stripe_refund_id = ",".join(ids)[:255]
    with atomic():
        info = info_of(rma, fresh=True)
        left = [part for part in refund_parts(corrections) if part.payment_intent]
        info.refund_state = RefundState.FAILED if left else RefundState.REFUNDED
        info.refund_error = ""
        add_event(rma, EventKind.PAYMENT, actor=actor, note=_("Refunded by card."))
    return booked


def _refund_failed(rma: Document, message: str, *, actor: User | None) -> None:
    with atomic():
        info = info_of(rma, fresh=True)
        info.refund_state = RefundState.FAILED
        info.refund_error = message
        add_event(
            rma, EventKind.PAYMENT, actor=actor, note=_("Refund failed: %(error)s", error=message)
        )
    log.warning("rma refund failed id=%s: %s", rma.id, message)


def _refund_corrections(rma: Document) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .join(DocumentLink, DocumentLink.target_id == Document.id)
            .where(DocumentLink.source_id == rma.id, Document.kind == DocumentKind.KOR)
            .order_by(Document.id)
        )
    )


def retry_refund(rma: Document, *, actor: User, on: date | None = None) -> list[Document]:
    """Staff try a failed card refund again; the same idempotency keys make sure Stripe pays
    back once even if an earlier attempt did get through."""
    info = info_of(rma, fresh=True)
    if info.refund_state not in (RefundState.FAILED, RefundState.PENDING):
        raise ResolutionError(
            _("There is no failed refund to retry on %(number)s.", number=rma.number)
        )
    return _card_refunds(rma, actor=actor, on=on or local_today())


def close(rma: Document, *, actor: User, note: str = "") -> None:
    """A resolved (or rejected) RMA is closed; a card refund still failing keeps it open."""
    with atomic():
        info = info_of(rma, fresh=True)
        if info.refund_state in (RefundState.FAILED, RefundState.PENDING):
            raise ResolutionError(
                _("The refund of %(number)s has not gone through yet.", number=rma.number)
            )
        move_rma(rma, info, RmaStatus.CLOSED, actor=actor, note=note.strip()[:2000])


# --- replacement ------------------------------------------------------------------------------


def _replacement_key(rma: Document) -> str:
    return f"rma-replacement-{rma.id}"


def replacement_of(rma: Document) -> Document | None:
    return db.session.scalar(
        sa.select(Document)
        .join(OrderInfo, OrderInfo.document_id == Document.id)
        .where(OrderInfo.idempotency_key == _replacement_key(rma))
    )


def place_replacement(rma: Document, *, actor: User, in_advance: bool) -> Document | None:
    """A new order at zero price for the replacement lines (the claimed quantity in advance,
    the accepted one after inspection), placed with status "new", reserving what stock allows.
    Placed once: an order shipped in advance is the replacement."""
    existing = replacement_of(rma)
    if existing is not None:
        return existing
    claims = [c for c in claim_lines(rma) if c.rma.resolution is Resolution.REPLACEMENT]
    wanted = [
        (claim, claim.line.quantity if in_advance else (claim.rma.accepted_quantity or ZERO))
        for claim in claims
    ]
    wanted = [(claim, qty) for claim, qty in wanted if qty > 0]
    if not wanted:
        return None
    source = db.session.get_one(Document, wanted[0][0].rma.order_id)
    source_info = db.session.get(OrderInfo, source.id)
    warehouse_id = source.warehouse_id or db.session.scalar(
        sa.select(Warehouse.id).where(Warehouse.is_main.is_(True))
    )
    if warehouse_id is None:
        raise HandlingError(_("There is no main warehouse to ship the replacement from."))
    first = status_for(Step.PLACE)
    today = local_today()
    order = Document(
        kind=DocumentKind.ZK,
        issued_on=today,
        company_id=rma.company_id,
        warehouse_id=warehouse_id,
        status_id=first.id,
        user_id=rma.user_id,
        created_by_id=actor.id,
        note=_("Replacement for %(number)s", number=rma.number),
    )
    db.session.add(order)
    db.session.flush()
    db.session.add(
        OrderInfo(
            document_id=order.id,
            idempotency_key=_replacement_key(rma),
            customer_reference=(rma.number or "")[:60],
            message=_("Replacement for %(number)s", number=rma.number),
            ship_label=source_info.ship_label if source_info else "",
            ship_recipient=source_info.ship_recipient if source_info else "",
            ship_street=source_info.ship_street if source_info else "",
            ship_postal_code=source_info.ship_postal_code if source_info else "",
            ship_city=source_info.ship_city if source_info else "",
            ship_country=source_info.ship_country if source_info else "PL",
            ship_phone=source_info.ship_phone if source_info else "",
            delivery_method=source_info.delivery_method if source_info else DeliveryMethod.PICKUP,
            delivery_net=ZERO,
            payment_method=PaymentMethod.ON_ACCOUNT,
            payment_state=PaymentState.NOT_DUE,
        )
    )
    for position, (claim, quantity) in enumerate(wanted, start=1):
        shipped = claim.delivered
        reserved = _reserve(warehouse_id, shipped.product_id, quantity)
        db.session.add(
            DocumentLine(
                document_id=order.id,
                position=position,
                product_id=shipped.product_id,
                sku=shipped.sku,
                name=shipped.name,
                unit=shipped.unit,
                quantity=quantity,
                list_price=shipped.list_price,
                unit_price=ZERO,
                vat_percent=shipped.vat_percent,
                discount=ZERO,
                net=ZERO,
                reserved=reserved,
            )
        )
    note = _("Replacement for %(number)s", number=rma.number)
    add_event(order, EventKind.CREATED, actor=actor, note=note)
    db.session.add(
        DocumentEvent(**status_event(order, first, current=None, actor=actor, note=note))
    )
    db.session.flush()
    order.number = allocate_number(DocumentKind.ZK, today)
    link(rma, order)
    link(source, order)
    add_event(
        rma,
        EventKind.NOTE,
        actor=actor,
        note=(
            _("Replacement order %(number)s shipped in advance.", number=order.number)
            if in_advance
            else _("Replacement order %(number)s placed.", number=order.number)
        ),
    )
    db.session.flush()
    log.info("rma replacement rma=%s order=%s", rma.id, order.number)
    return order


def _reserve(warehouse_id: int, product_id: int | None, quantity: Decimal) -> Decimal:
    """Reserves what is available, up to `quantity` (the rest is a backorder)."""
    if product_id is None:
        return ZERO
    query = sa.select(StockLevel).where(
        StockLevel.product_id == product_id, StockLevel.warehouse_id == warehouse_id
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    level = db.session.scalars(query.execution_options(populate_existing=True)).one_or_none()
    if level is None:
        return ZERO
    part = max(min(quantity, level.on_hand - level.reserved), ZERO)
    if part > 0:
        level.reserved += part
    return part
