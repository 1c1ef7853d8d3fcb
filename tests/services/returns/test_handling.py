"""Staff handle an RMA: approve or reject it, receive the parcel, inspect and book the stock."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.accounts.models import Role, User
from portal.catalog.models import Product
from portal.core.clock import local_today
from portal.core.db import db, utcnow
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    ReasonCode,
    ReasonKind,
)
from portal.documents.services import LineDraft, issue
from portal.fulfilment import services as fulfilment
from portal.fulfilment.models import Shipment
from portal.notifications.models import OutboxMessage
from portal.orders.models import PaymentMethod
from portal.returns import handling
from portal.returns.handling import HandlingError, Inspection
from portal.returns.models import (
    Condition,
    PhotoStage,
    Resolution,
    RmaInfo,
    RmaKind,
    RmaLine,
    RmaPhoto,
    RmaStatus,
)
from portal.returns.states import InvalidRmaTransition
from portal.stock import ledger
from portal.stock.models import BatchStock, StockLevel, StockMove
from tests.builders import main_warehouse, make_company, make_user
from tests.services.invoicing.helpers import order_of, set_up_seller, stocked_product

D = Decimal


# --- building delivered orders and RMAs (used by the resolution and office tests too) --------


@dataclass
class Delivered:
    buyer: User
    order: Document
    note: Document
    """The WZ."""
    invoice: Document | None
    products: list[Product]
    note_lines: list[DocumentLine]


def staff_member(**overrides: Any) -> User:
    return make_user(role=Role.STAFF, name="Stefan Magazyn", **overrides)


def delivered_order(
    *items: tuple[str, str],
    buyer: User | None = None,
    payment_method: PaymentMethod = PaymentMethod.ON_ACCOUNT,
    delivered_at: datetime | None = None,
    tax_id: str | None = None,
    before_packing: Any = None,
) -> Delivered:
    """An order of products (net price, quantity) placed, packed (WZ and FS/PA), shipped and
    delivered through the real pipeline."""
    set_up_seller()
    items = items or (("10.00", "5"),)
    if buyer is None:
        company = make_company(**({"tax_id": tax_id, "tax_country": "PL"} if tax_id else {}))
        buyer = make_user(role=Role.BUYER, company=company)
    products = [stocked_product(price=price) for price, _qty in items]
    order = order_of(
        buyer,
        *[(product, qty) for product, (_price, qty) in zip(products, items, strict=True)],
        payment_method=payment_method,
    )
    if before_packing is not None:
        before_packing(order)
    staff = staff_member()
    fulfilment.confirm(order, actor=staff)
    lines = fulfilment.product_lines(order)
    fulfilment.pack(
        order, actor=staff, carrier="demo", picks={line.id: line.quantity for line in lines}
    )
    fulfilment.mark_shipped(order, actor=staff)
    fulfilment.mark_delivered(order, actor=staff, at=delivered_at or utcnow())
    shipment = db.session.scalars(sa.select(Shipment).where(Shipment.order_id == order.id)).one()
    note = db.session.get_one(Document, shipment.delivery_note_id)
    invoice = db.session.scalar(
        sa.select(Document)
        .join(DocumentLink, DocumentLink.target_id == Document.id)
        .where(
            DocumentLink.source_id == note.id,
            Document.kind.in_((DocumentKind.FS, DocumentKind.PA)),
        )
    )
    note_lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == note.id)
            .order_by(DocumentLine.position)
        )
    )
    return Delivered(buyer, order, note, invoice, products, note_lines)


def make_rma(
    delivered: Delivered,
    *claims: tuple[int, str, Resolution],
    kind: RmaKind = RmaKind.RETURN,
    status: RmaStatus = RmaStatus.AWAITING_REVIEW,
) -> Document:
    """An RMA as filing leaves it: claims are (index of the WZ line, quantity, resolution)."""
    claims = claims or ((0, "2", Resolution.REFUND),)
    reason_kind = ReasonKind.RETURN if kind is RmaKind.RETURN else ReasonKind.COMPLAINT
    reason = db.session.scalars(
        sa.select(ReasonCode).where(ReasonCode.kind == reason_kind).order_by(ReasonCode.id)
    ).first()
    assert reason is not None
    shipped = [delivered.note_lines[index] for index, _qty, _res in claims]
    rma, rows = issue(
        DocumentKind.RMA,
        on=local_today(),
        actor=delivered.buyer,
        lines=[
            LineDraft(
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=D(qty),
                unit_price=line.unit_price,
                vat_percent=line.vat_percent,
                product_id=line.product_id,
                source_line_id=line.id,
            )
            for line, (_index, qty, _res) in zip(shipped, claims, strict=True)
        ],
        company_id=delivered.buyer.company_id,
        user_id=delivered.buyer.id,
    )
    db.session.add(
        RmaInfo(
            document_id=rma.id,
            kind=kind,
            status=status,
            idempotency_key=uuid.uuid4().hex,
            submitted_at=utcnow(),
        )
    )
    for row, line, (_index, _qty, resolution) in zip(rows, shipped, claims, strict=True):
        db.session.add(
            RmaLine(
                document_line_id=row.id,
                delivered_line_id=line.id,
                claimed=0 if status is RmaStatus.REJECTED else row.quantity,
                order_id=delivered.order.id,
                reason_id=reason.id,
                description="Broken on arrival",
                resolution=resolution,
            )
        )
    db.session.commit()  # a savepoint in tests: a refused service call rolls back to here
    return rma


def info(rma: Document) -> RmaInfo:
    return db.session.scalars(
        sa.select(RmaInfo)
        .where(RmaInfo.document_id == rma.id)
        .execution_options(populate_existing=True)
    ).one()


def rma_lines(rma: Document) -> list[handling.ClaimLine]:
    db.session.expire_all()
    return handling.claim_lines(rma)


def on_hand(product: Product) -> Decimal:
    level = db.session.scalars(
        sa.select(StockLevel)
        .where(StockLevel.product_id == product.id, StockLevel.warehouse_id == main_warehouse().id)
        .execution_options(populate_existing=True)
    ).one()
    return level.on_hand


def received(rma: Document, staff: User, quantities: dict[int, str] | None = None) -> None:
    handling.approve(rma, actor=staff, instructions="Send it to our warehouse.")
    claims = handling.claim_lines(rma)
    handling.receive(
        rma,
        actor=staff,
        quantities={
            c.line.id: D((quantities or {}).get(i, str(c.line.quantity)))
            for i, c in enumerate(claims)
        },
    )


def photo_bytes(color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "PNG")
    return buffer.getvalue()


def linked(source: Document, target: Document) -> bool:
    return db.session.get(DocumentLink, (source.id, target.id)) is not None


# --- the decision ------------------------------------------------------------------------------


def test_staff_approve_with_instructions_the_customer_is_mailed_and_sees_them():
    delivered = delivered_order()
    rma = make_rma(delivered)
    staff = staff_member()

    handling.approve(rma, actor=staff, instructions="Pack it in the original box.")

    found = info(rma)
    assert found.status is RmaStatus.APPROVED
    assert found.instructions == "Pack it in the original box."
    assert found.decided_at is not None
    event = db.session.scalars(
        sa.select(DocumentEvent).where(
            DocumentEvent.document_id == rma.id, DocumentEvent.rma_status == "approved"
        )
    ).one()
    assert event.actor_id == staff.id
    mail = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.template == "returns/status")
    ).all()
    assert [message.recipient for message in mail] == [delivered.buyer.email]


def test_a_rejection_needs_a_reason_that_the_customer_sees():
    rma = make_rma(delivered_order())
    staff = staff_member()
    with pytest.raises(HandlingError) as refused:
        handling.reject(rma, actor=staff, reason="   ")
    assert refused.value.field == "reason"
    assert info(rma).status is RmaStatus.AWAITING_REVIEW

    handling.reject(rma, actor=staff, reason="The window closed before you asked.")

    assert info(rma).status is RmaStatus.REJECTED
    assert info(rma).rejection_reason == "The window closed before you asked."
    with pytest.raises(InvalidRmaTransition):
        handling.approve(rma, actor=staff, instructions="")


def test_goods_cannot_be_received_before_the_rma_is_approved():
    rma = make_rma(delivered_order())
    with pytest.raises(InvalidRmaTransition):
        handling.receive(rma, actor=staff_member(), quantities={})
    assert info(rma).status is RmaStatus.AWAITING_REVIEW


def test_receiving_records_what_came_and_refuses_more_than_was_claimed():
    rma = make_rma(delivered_order(("10.00", "5")), (0, "3", Resolution.REFUND))
    staff = staff_member()
    handling.approve(rma, actor=staff, instructions="")
    [claim] = handling.claim_lines(rma)

    with pytest.raises(HandlingError) as refused:
        handling.receive(rma, actor=staff, quantities={claim.line.id: D("4")})
    assert refused.value.field == f"quantity-{claim.line.id}"
    assert info(rma).status is RmaStatus.APPROVED

    handling.receive(rma, actor=staff, quantities={claim.line.id: D("2")})

    assert info(rma).status is RmaStatus.RECEIVED
    assert rma_lines(rma)[0].rma.accepted_quantity == D("2")


# --- inspection books the stock -----------------------------------------------------------------


def test_inspection_restocks_resellable_goods_into_the_batch_they_left_in():
    delivered = delivered_order(("10.00", "5"))
    product = delivered.products[0]
    rma = make_rma(delivered, (0, "2", Resolution.REFUND))
    staff = staff_member()
    received(rma, staff)
    before = on_hand(product)
    [claim] = handling.claim_lines(rma)

    booked = handling.inspect(
        rma,
        actor=staff,
        findings=[Inspection(claim.line.id, D("2"), Condition.RESELLABLE, "As new")],
    )

    assert booked.receipt is not None and booked.write_offs == []
    receipt = booked.receipt
    assert receipt.kind is DocumentKind.ZW and receipt.number.startswith("ZW/")
    [row] = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == receipt.id)
    ).all()
    shipped = delivered.note_lines[0]
    assert row.batch_id == shipped.batch_id and row.quantity == D("2")
    assert row.source_line_id == claim.line.id
    assert on_hand(product) == before + 2
    batch_stock = db.session.get_one(BatchStock, (shipped.batch_id, main_warehouse().id))
    assert batch_stock.on_hand >= D("2")
    assert linked(rma, receipt) and linked(delivered.note, receipt)
    details = rma_lines(rma)[0].rma
    assert details.condition is Condition.RESELLABLE
    assert details.batch_id == shipped.batch_id
    assert details.inspection_notes == "As new"
    assert info(rma).status is RmaStatus.INSPECTED
    assert ledger.check() == []


def test_damaged_goods_come_in_and_are_written_off_at_cost_supplier_goods_at_zero():
    delivered = delivered_order(("10.00", "5"), ("20.00", "4"), ("30.00", "3"))
    rma = make_rma(
        delivered,
        (0, "1", Resolution.REFUND),
        (1, "2", Resolution.CREDIT),
        (2, "3", Resolution.REPLACEMENT),
    )
    staff = staff_member()
    received(rma, staff)
    claims = handling.claim_lines(rma)
    stock_before = [on_hand(product) for product in delivered.products]

    booked = handling.inspect(
        rma,
        actor=staff,
        findings=[
            Inspection(claims[0].line.id, D("0"), Condition.MISSING),
            Inspection(claims[1].line.id, D("2"), Condition.DAMAGED, photos=[photo_bytes()]),
            Inspection(claims[2].line.id, D("3"), Condition.RETURN_TO_SUPPLIER),
        ],
    )

    assert booked.receipt is not None
    receipt_lines = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == booked.receipt.id)
    ).all()
    assert sorted(line.quantity for line in receipt_lines) == [D("2"), D("3")]
    by_reason = {document.reason: document for document in booked.write_offs}
    assert set(by_reason) == {"damage", "returned_to_supplier"}
    damage_moves = db.session.scalars(
        sa.select(StockMove)
        .join(DocumentLine, DocumentLine.id == StockMove.document_line_id)
        .where(DocumentLine.document_id == by_reason["damage"].id)
    ).all()
    assert [(move.quantity, move.unit_cost) for move in damage_moves] == [(D("-2"), D("1.00"))]
    supplier_moves = db.session.scalars(
        sa.select(StockMove)
        .join(DocumentLine, DocumentLine.id == StockMove.document_line_id)
        .where(DocumentLine.document_id == by_reason["returned_to_supplier"].id)
    ).all()
    assert [(move.quantity, move.unit_cost) for move in supplier_moves] == [(D("-3"), D("0.00"))]
    for document in booked.write_offs:
        assert linked(booked.receipt, document)
    # Nothing came back for good: stock is where it was.
    assert [on_hand(product) for product in delivered.products] == stock_before
    photos = db.session.scalars(sa.select(RmaPhoto)).all()
    assert [(p.document_line_id, p.stage) for p in photos] == [
        (claims[1].line.id, PhotoStage.INSPECTION)
    ]
    assert ledger.check() == []


def test_an_inspection_that_fails_half_way_books_nothing(monkeypatch):
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.REFUND))
    staff = staff_member()
    received(rma, staff)
    [claim] = handling.claim_lines(rma)
    documents_before = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
    moves_before = db.session.scalar(sa.select(sa.func.count()).select_from(StockMove))

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ledger.StockError("the shelf collapsed")

    monkeypatch.setattr(handling, "write_off", broken)
    with pytest.raises(ledger.StockError):
        handling.inspect(
            rma, actor=staff, findings=[Inspection(claim.line.id, D("2"), Condition.DAMAGED)]
        )

    db.session.expire_all()
    assert info(rma).status is RmaStatus.RECEIVED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == documents_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) == moves_before
    assert rma_lines(rma)[0].rma.condition is None


def test_inspection_refuses_more_than_claimed_a_missing_line_and_bad_photos():
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.REFUND))
    staff = staff_member()
    received(rma, staff)
    [claim] = handling.claim_lines(rma)

    with pytest.raises(HandlingError) as too_many:
        handling.inspect(
            rma, actor=staff, findings=[Inspection(claim.line.id, D("3"), Condition.RESELLABLE)]
        )
    assert too_many.value.field == f"accepted-{claim.line.id}"
    with pytest.raises(HandlingError):
        handling.inspect(rma, actor=staff, findings=[])
    with pytest.raises(HandlingError) as not_a_photo:
        handling.inspect(
            rma,
            actor=staff,
            findings=[
                Inspection(claim.line.id, D("2"), Condition.DAMAGED, photos=[b"%PDF-1.4 nope"])
            ],
        )
    assert not_a_photo.value.field == f"photos-{claim.line.id}"
    assert info(rma).status is RmaStatus.RECEIVED


def test_approval_can_ship_the_replacement_in_advance():
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.REPLACEMENT))

    replacement = handling.approve(
        rma, actor=staff_member(), instructions="", ship_replacement_now=True
    )

    assert replacement is not None and replacement.kind is DocumentKind.ZK
    assert linked(rma, replacement)
    [line] = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == replacement.id)
    ).all()
    assert (line.quantity, line.unit_price, line.net) == (D("2"), D("0.00"), D("0.00"))
    assert line.reserved == D("2")


def test_ship_in_advance_needs_a_replacement_line():
    rma = make_rma(delivered_order(), (0, "1", Resolution.REFUND))
    with pytest.raises(HandlingError):
        handling.approve(rma, actor=staff_member(), instructions="", ship_replacement_now=True)
    assert info(rma).status is RmaStatus.AWAITING_REVIEW


def test_an_rma_approved_long_ago_still_books_into_the_right_batch():
    delivered = delivered_order(("10.00", "5"), delivered_at=utcnow() - timedelta(days=3))
    rma = make_rma(delivered, (0, "5", Resolution.CREDIT), kind=RmaKind.COMPLAINT)
    staff = staff_member()
    received(rma, staff)
    [claim] = handling.claim_lines(rma)
    booked = handling.inspect(
        rma, actor=staff, findings=[Inspection(claim.line.id, D("5"), Condition.RESELLABLE)]
    )
    assert booked.receipt is not None
    assert rma_lines(rma)[0].rma.batch_id == delivered.note_lines[0].batch_id
