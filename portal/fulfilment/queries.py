"""Fulfilment reads: the staff order queue, one order as the office sees it, the pick list,
and the shipments a partner sees on their order."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company
from portal.core.db import db
from portal.core.money import ZERO
from portal.documents.models import Document, DocumentEvent, DocumentKind, DocumentLine
from portal.documents.services import related
from portal.fulfilment import carriers
from portal.fulfilment.models import Shipment
from portal.fulfilment.services import LineCoverage, coverage_of, product_lines
from portal.orders.models import OrderStatus, StatusType, Step
from portal.orders.statuses import status_ids
from portal.stock import ledger
from portal.stock.models import Batch
from portal.stock.queries import main_warehouse_id

PAGE_SIZE = 30
OPEN_TYPES = (StatusType.WAITING, StatusType.NEUTRAL, StatusType.PROBLEM)
"""The queue's default: orders someone still has to act on. Only these are counted (their
number stays small; delivered and cancelled orders grow forever)."""


@dataclass
class QueueFilters:
    q: str = ""
    status: str = ""
    """'' (open orders), 'all', a status code, or 'type:<type>'."""
    after_id: int | None = None
    """Keyset pagination, oldest first: orders newer than this id."""


def statuses() -> list[OrderStatus]:
    return list(db.session.scalars(sa.select(OrderStatus).order_by(OrderStatus.position)))


def queue(filters: QueueFilters, limit: int = PAGE_SIZE) -> list[Document]:
    """Orders oldest first (the first in is the first out), one page and one more row."""
    query = sa.select(Document.id).where(Document.kind == DocumentKind.ZK)
    if filters.status == "all":
        pass
    elif filters.status.startswith("type:"):
        types = [t for t in StatusType if t.value == filters.status[5:]]
        query = query.where(Document.status_id.in_(status_ids(*types)))
    elif filters.status:
        query = query.where(Document.status_id.in_(status_ids(code=filters.status)))
    else:
        query = query.where(Document.status_id.in_(status_ids(*OPEN_TYPES)))
    if filters.q:
        text = filters.q.strip()
        pattern = f"%{text}%"
        query = query.where(
            sa.or_(
                Document.number.ilike(pattern),
                Document.company_id.in_(sa.select(Company.id).where(Company.name.ilike(pattern))),
            )
        )
    if filters.after_id:
        query = query.where(Document.id > filters.after_id)
    # The page's ids first, then their rows: asked for whole rows and their joins in one go,
    # PostgreSQL walked the primary key from the oldest order to find the open ones (the
    # newest) and read every order ever placed; the ids alone come from the index on
    # (kind, status, id).
    page = query.order_by(Document.id).limit(limit + 1)
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.id.in_(page.scalar_subquery()))
            .options(
                joinedload(Document.status),
                joinedload(Document.order),
                joinedload(Document.company),
            )
            .order_by(Document.id)
        )
    )


def open_counts() -> dict[StatusType, int]:
    """How many orders wait, are in progress or have a problem (the index on (kind, status)
    answers it without reading the documents, given the status ids)."""
    rows = db.session.execute(
        sa.select(OrderStatus.type, sa.func.count())
        .select_from(Document)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(
            Document.kind == DocumentKind.ZK,
            Document.status_id.in_(status_ids(*OPEN_TYPES)),
        )
        .group_by(OrderStatus.type)
    )
    counts = {status_type: 0 for status_type in OPEN_TYPES}
    counts.update({StatusType(status_type): count for status_type, count in rows})
    return counts


def order_for_staff(order_id: int) -> Document:
    return db.one_or_404(
        sa.select(Document)
        .where(Document.id == order_id, Document.kind == DocumentKind.ZK)
        .options(
            joinedload(Document.status),
            joinedload(Document.order),
            joinedload(Document.user),
            joinedload(Document.created_by),
            joinedload(Document.company),
        )
    )


@dataclass(frozen=True)
class ShipmentRow:
    shipment: Shipment
    delivery_note: Document

    @property
    def carrier_label(self) -> str:
        carrier = carriers.CARRIERS.get(self.shipment.carrier)
        return str(carrier.label) if carrier else self.shipment.carrier


def shipments_for(order: Document) -> list[ShipmentRow]:
    """The order's shipments with their delivery notes, oldest first (one query)."""
    rows = db.session.execute(
        sa.select(Shipment, Document)
        .join(Document, Document.id == Shipment.delivery_note_id)
        .where(Shipment.order_id == order.id)
        .order_by(Shipment.id)
    )
    return [ShipmentRow(shipment, note) for shipment, note in rows]


def shipment_for_staff(shipment_id: int) -> Shipment:
    return db.get_or_404(Shipment, shipment_id)


@dataclass
class OfficeOrderPage:
    order: Document
    lines: list[DocumentLine]
    coverage: dict[int, LineCoverage]
    events: list[DocumentEvent]
    came_from: list[Document]
    led_to: list[Document]
    shipments: list[ShipmentRow]
    actions: set[str] = field(default_factory=set)


def _actions(status: OrderStatus, shipments: list[ShipmentRow]) -> set[str]:
    """Which buttons the order's status allows (the services check again)."""
    actions: set[str] = set()
    step = status.step
    if status.type is StatusType.WAITING and step is not Step.HOLD_FOR_APPROVAL:
        actions.add("confirm")
    if step is Step.CONFIRM:
        actions |= {"start_picking", "pick"}
    if step is Step.PICK:
        actions.add("pick")
    if step is Step.PACK and any(row.shipment.shipped_at is None for row in shipments):
        actions.add("ship")
    if step is Step.SHIP:
        actions.add("deliver")
    if step is Step.HOLD:
        actions.add("release")
    elif step is not Step.HOLD_FOR_APPROVAL and (
        status.type in (StatusType.WAITING, StatusType.NEUTRAL) or step is Step.SHIP
    ):
        actions.add("hold")
    return actions


def office_order_page(order: Document) -> OfficeOrderPage:
    lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
        )
    )
    assert order.status is not None
    before_packing = order.status.type in OPEN_TYPES and order.status.step is not Step.PACK
    coverage = {item.line.id: item for item in coverage_of(order, lines)} if before_packing else {}
    events = list(
        db.session.scalars(
            sa.select(DocumentEvent)
            .where(DocumentEvent.document_id == order.id)
            .options(
                joinedload(DocumentEvent.actor),
                joinedload(DocumentEvent.on_behalf_of),
                joinedload(DocumentEvent.to_status),
            )
            .order_by(DocumentEvent.at, DocumentEvent.id)
        )
    )
    came_from, led_to = related(order)
    shipments = shipments_for(order)
    return OfficeOrderPage(
        order,
        lines,
        coverage,
        events,
        came_from,
        led_to,
        shipments,
        _actions(order.status, shipments),
    )


@dataclass(frozen=True)
class BatchOption:
    batch: Batch
    on_hand: Decimal
    suggested: Decimal
    """How much first-expiry-first-out would draw from this batch for the line."""


@dataclass(frozen=True)
class PickLine:
    line: DocumentLine
    ean: str | None
    options: list[BatchOption]

    @property
    def short(self) -> bool:
        return self.line.picked < self.line.quantity

    @property
    def in_stock(self) -> Decimal:
        return sum((option.on_hand for option in self.options), ZERO)


def pick_list(order: Document) -> list[PickLine]:
    """The order's product lines with their EAN and the batches in stock, FEFO first."""
    from portal.catalog.models import Product

    lines = product_lines(order)
    eans = dict(
        db.session.execute(
            sa.select(Product.id, Product.ean).where(
                Product.id.in_([line.product_id for line in lines])
            )
        ).all()
    )
    warehouse_id = order.warehouse_id or main_warehouse_id()
    result = []
    for line in lines:
        assert line.product_id is not None
        wanted = line.picked if line.picked > 0 else line.quantity
        options = []
        for row in ledger.batches_on_hand(line.product_id, warehouse_id):
            part = max(min(wanted, row.on_hand), ZERO)
            wanted -= part
            options.append(BatchOption(row.batch, row.on_hand, part))
        result.append(PickLine(line, eans.get(line.product_id), options))
    return result
