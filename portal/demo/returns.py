"""Returns and complaints in the demo.

`add_demo_returns` gives every demo partner an order delivered ten days ago through the real
pipeline (confirm, pack: WZ and FS/PA, ship, deliver) and, on its lines, one RMA in every
status, moved there by the real services: decisions, the receipt (ZW) and write-offs (RW),
corrective invoices (KOR), a bank refund (KW), a replacement order. Photos are drawn with
Pillow. Part of each line stays unclaimed and inside the return window, so a demo buyer can
file a return at once. Mail the services queue is dropped, as the order history does.

`load_rma_volume` adds N RMA lines with Core bulk inserts for the benchmark
(`flask demo load --rma-lines N`).
"""

from __future__ import annotations

import io
import logging
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import click
import sqlalchemy as sa
from PIL import Image, ImageDraw

from portal.accounts.models import Address, Company, Role, User
from portal.cart import services as cart_services
from portal.cart.models import CartLine
from portal.cart.queries import cart_view
from portal.catalog.models import Product
from portal.catalog.queries import Viewer
from portal.core.clock import local_today
from portal.core.db import atomic, db, utcnow
from portal.core.errors import DomainError
from portal.demo.bulk import insert, next_id, table
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentSeries,
    DocumentState,
    EventKind,
    ReasonCode,
    ReasonKind,
)
from portal.documents.numbering import format_number, period_of
from portal.documents.services import LineDraft, issue
from portal.fulfilment import services as fulfilment
from portal.fulfilment.models import Shipment
from portal.notifications.models import OutboxMessage
from portal.orders import services as orders
from portal.orders.models import DeliveryMethod, PaymentMethod
from portal.payments.models import PaymentChannel
from portal.payments.services import record_payment
from portal.returns import handling, resolution
from portal.returns.handling import Inspection
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
from portal.returns.photos import store as store_photo
from portal.returns.states import move_rma
from portal.stock.models import BatchStock, StockLevel, Warehouse

log = logging.getLogger(__name__)

LINE_QUANTITY = Decimal(4)
CLAIMED = Decimal(1)
"""Each status's RMA claims one piece of a line of four: three stay returnable."""
DEMO_BUYERS = ("buyer@acme.example", "buyer@globex.example", "buyer@kowalski.example")
DELIVERED_DAYS_AGO = 10
REJECTION = "Opened and used: a return is possible only for unused goods in their packaging."
INSTRUCTIONS = (
    "Pack the goods in their box, put the return slip inside and send the parcel to our "
    "return address within 14 days."
)
DESCRIPTIONS = {
    RmaKind.RETURN: "Ordered too many; the box is unopened.",
    RmaKind.COMPLAINT: "The housing cracked on first use.",
}


@dataclass
class _Delivered:
    buyer: User
    order: Document
    invoice: Document | None
    lines: list[DocumentLine]


def add_demo_returns(seed: int = 2026) -> int:
    """RMAs in every status for every demo partner; returns how many were made. Does nothing
    (0) when the demo lacks staff, buyers or stock."""
    rng = random.Random(f"{seed}/returns")
    staff = db.session.scalar(
        sa.select(User).where(User.role == Role.STAFF, User.active).order_by(User.id)
    )
    buyers = _demo_buyers()
    products = _stocked_products(len(RmaStatus) * max(1, len(buyers)))
    if staff is None or not buyers or len(products) < len(RmaStatus):
        return 0
    last_mail = db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0
    made = 0
    with _quiet():
        for index, buyer in enumerate(buyers):
            chosen = [products[(index * len(RmaStatus) + i) % len(products)] for i in range(9)]
            try:
                delivered = _delivered_order(buyer, chosen, staff)
            except DomainError as error:
                log.warning("demo returns: no order for %s: %s", buyer.email, error.message)
                continue
            for position, status in enumerate(RmaStatus):
                if position >= len(delivered.lines):
                    break
                _rma_in(status, delivered, delivered.lines[position], staff, rng, position)
                made += 1
        with atomic():
            db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > last_mail))
    return made


class _quiet:
    """The services log every step at INFO; the demo's progress is enough."""

    def __enter__(self) -> None:
        self.level = logging.getLogger("portal").level
        logging.getLogger("portal").setLevel(logging.WARNING)

    def __exit__(self, *args: object) -> None:
        logging.getLogger("portal").setLevel(self.level)


def _demo_buyers() -> list[User]:
    found = list(
        db.session.scalars(
            sa.select(User)
            .where(User.email.in_(DEMO_BUYERS), User.role == Role.BUYER, User.active)
            .order_by(User.id)
        )
    )
    if found:
        return found
    return list(  # another data set: its first buyers
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.BUYER, User.active, User.company_id.is_not(None))
            .order_by(User.id)
            .limit(3)
        )
    )


def _stocked_products(count: int) -> list[Product]:
    """Products with enough free stock in the main warehouse, in a batch, to ship at once."""
    main = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.is_main.is_(True)))
    if main is None:
        return []
    need = LINE_QUANTITY * 2
    in_batches = (
        sa.select(BatchStock.product_id)
        .where(BatchStock.warehouse_id == main, BatchStock.on_hand >= need)
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Product)
            .join(StockLevel, StockLevel.product_id == Product.id)
            .where(
                StockLevel.warehouse_id == main,
                StockLevel.on_hand - StockLevel.reserved >= need,
                Product.active.is_(True),
                Product.returnable.is_(True),
                Product.min_order_quantity <= LINE_QUANTITY,
                Product.pack_size == 1,
                Product.id.in_(in_batches),
            )
            .order_by(Product.id)
            .limit(count)
        )
    )


def _delivered_order(buyer: User, products: Sequence[Product], staff: User) -> _Delivered:
    """An order placed from the buyer's cart (whatever the buyer had there is put back
    afterwards), confirmed, packed, shipped and delivered ten days ago."""
    company = db.session.get_one(Company, buyer.company_id)
    cart = cart_services.cart_of(buyer)
    kept = [
        (line.product_id, line.quantity, line.added_at)
        for line in db.session.scalars(
            sa.select(CartLine).where(CartLine.cart_id == cart.id, CartLine.saved.is_(False))
        )
    ]
    with atomic():
        db.session.execute(
            sa.delete(CartLine).where(CartLine.cart_id == cart.id, CartLine.saved.is_(False))
        )
    for product in products:
        cart_services.add_to_cart(buyer, product, LINE_QUANTITY)
    viewer = Viewer(company=company, warehouse_id=company.warehouse_id or _main_warehouse())
    view = cart_view(buyer, viewer)
    address = db.session.scalar(
        sa.select(Address)
        .where(Address.company_id == company.id)
        .order_by(Address.is_default.desc(), Address.id)
    )
    ship_to = (
        orders.ShipTo.from_address(address)
        if address
        else orders.ShipTo(
            company.name,
            company.name,
            company.street,
            company.postal_code,
            company.city,
            company.country,
        )
    )
    order = None
    limits = (buyer.order_limit, buyer.monthly_limit)
    with atomic():  # the demo order is not what the buyer's limits are shown with
        buyer.order_limit = buyer.monthly_limit = None
    try:
        for method in (PaymentMethod.ON_ACCOUNT, PaymentMethod.BANK_TRANSFER):
            try:
                order = orders.place_order(
                    buyer,
                    actor=buyer,
                    viewer=viewer,
                    checkout=orders.Checkout(
                        ship_to=ship_to,
                        delivery_method=DeliveryMethod.PICKUP,
                        payment_method=method,
                        customer_reference="DEMO-RMA",
                    ),
                    seen_key=view.content_key,
                    seen=orders.seen_lines(view),
                )
                break
            except DomainError:  # over the credit limit: a prepaid order then
                if method is PaymentMethod.BANK_TRANSFER:
                    raise
    finally:
        _restore_cart(cart.id, kept)
        with atomic():
            buyer.order_limit, buyer.monthly_limit = limits
    assert order is not None
    fulfilment.confirm(order, actor=staff)
    lines = fulfilment.product_lines(order)
    delivered_at = utcnow() - timedelta(days=DELIVERED_DAYS_AGO)
    fulfilment.pack(
        order, actor=staff, carrier="demo", picks={line.id: line.reserved for line in lines}
    )
    fulfilment.mark_shipped(order, actor=staff)
    fulfilment.mark_delivered(order, actor=staff, at=delivered_at)
    with atomic():
        shipment = db.session.scalars(
            sa.select(Shipment).where(Shipment.order_id == order.id)
        ).one()
        shipment.shipped_at = delivered_at - timedelta(days=2)
    note_lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == shipment.delivery_note_id)
            .order_by(DocumentLine.position)
        )
    )
    invoice = db.session.scalar(
        sa.select(Document)
        .join(DocumentLink, DocumentLink.target_id == Document.id)
        .where(
            DocumentLink.source_id == shipment.delivery_note_id,
            Document.kind.in_((DocumentKind.FS, DocumentKind.PA)),
        )
    )
    if invoice is None:  # a partner invoiced monthly: its RMAs need the invoice now
        from portal.invoicing.services import invoice_delivery_notes

        invoice = invoice_delivery_notes(
            company, [db.session.get_one(Document, shipment.delivery_note_id)], actor=staff
        )
    return _Delivered(buyer, order, invoice, note_lines)


def _restore_cart(cart_id: int, kept: list[tuple[int, Decimal, Any]]) -> None:
    """The buyer's cart as it was before the demo's order (emptied by placing it)."""
    with atomic():
        db.session.execute(
            sa.delete(CartLine).where(CartLine.cart_id == cart_id, CartLine.saved.is_(False))
        )
        for product_id, quantity, added_at in kept:
            db.session.add(
                CartLine(
                    cart_id=cart_id, product_id=product_id, quantity=quantity, added_at=added_at
                )
            )


def _main_warehouse() -> int:
    main = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.is_main.is_(True)))
    assert main is not None
    return main


def picture(seed: int, label: str, *, damaged: bool) -> bytes:
    """A photo-like JPEG: a box on a table, with a crack when damaged."""
    rng = random.Random(seed)
    image = Image.new("RGB", (800, 600), (rng.randint(190, 230), rng.randint(180, 220), 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 420, 800, 600), fill=(120, 90, 60))
    box = (180 + rng.randint(-40, 40), 160, 620 + rng.randint(-40, 40), 470)
    draw.rectangle(box, fill=(196, 160, 110), outline=(90, 70, 40), width=6)
    draw.line((box[0], 230, box[2], 230), fill=(150, 120, 80), width=10)
    if damaged:
        x, y = box[0] + 60, box[1] + 40
        for _ in range(7):
            nx, ny = x + rng.randint(15, 50), y + rng.randint(-10, 40)
            draw.line((x, y, nx, ny), fill=(40, 30, 20), width=5)
            x, y = nx, ny
    draw.text((box[0] + 20, box[3] - 40), label, fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _reason(kind: RmaKind, rng: random.Random) -> ReasonCode | None:
    reason_kind = ReasonKind.RETURN if kind is RmaKind.RETURN else ReasonKind.COMPLAINT
    reasons = list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.kind == reason_kind, ReasonCode.active.is_(True))
            .order_by(ReasonCode.position, ReasonCode.id)
        )
    )
    return rng.choice(reasons) if reasons else None


def _rma_in(
    status: RmaStatus,
    delivered: _Delivered,
    shipped: DocumentLine,
    staff: User,
    rng: random.Random,
    position: int,
) -> Document | None:
    kind = RmaKind.COMPLAINT if position % 3 == 2 else RmaKind.RETURN
    wanted = {
        RmaStatus.RESOLVED: Resolution.REFUND,
        RmaStatus.CLOSED: Resolution.CREDIT,
        RmaStatus.INSPECTED: Resolution.REPLACEMENT,
    }.get(status, rng.choice(list(Resolution)))
    reason = _reason(kind, rng)
    if reason is None:
        return None
    photos = [
        store_photo(picture(shipped.id * 10 + n, shipped.sku, damaged=kind is RmaKind.COMPLAINT))
        for n in range(2 if kind is RmaKind.COMPLAINT else 1)
    ]
    submitted_at = utcnow() - timedelta(days=DELIVERED_DAYS_AGO - 1 - position % 4)
    with atomic():
        rma, [row] = issue(
            DocumentKind.RMA,
            on=local_today(),
            actor=delivered.buyer,
            lines=[
                LineDraft(
                    sku=shipped.sku,
                    name=shipped.name,
                    unit=shipped.unit,
                    quantity=CLAIMED,
                    unit_price=shipped.unit_price,
                    vat_percent=shipped.vat_percent,
                    product_id=shipped.product_id,
                    list_price=shipped.list_price,
                    source_line_id=shipped.id,
                )
            ],
            company_id=delivered.buyer.company_id,
            user_id=delivered.buyer.id,
        )
        rma.created_at = submitted_at  # filed then: its timeline starts there
        info = RmaInfo(
            document_id=rma.id,
            kind=kind,
            status=RmaStatus.SUBMITTED,
            idempotency_key=uuid.uuid4().hex,
            submitted_at=submitted_at,
        )
        db.session.add(info)
        db.session.add(
            RmaLine(
                document_line_id=row.id,
                delivered_line_id=shipped.id,
                claimed=row.quantity,
                order_id=delivered.order.id,
                reason_id=reason.id,
                description=DESCRIPTIONS[kind],
                resolution=wanted,
            )
        )
        for photo in photos:
            db.session.add(
                RmaPhoto(
                    document_line_id=row.id,
                    stage=PhotoStage.FILING,
                    image_key=photo.key,
                    width=photo.width,
                    height=photo.height,
                    uploaded_by_id=delivered.buyer.id,
                )
            )
        db.session.add(
            DocumentEvent(
                document_id=rma.id,
                kind=EventKind.STATUS,
                actor_id=delivered.buyer.id,
                rma_status=RmaStatus.SUBMITTED.value,
                at=submitted_at,
            )
        )
        if status is not RmaStatus.SUBMITTED:
            move_rma(rma, info, RmaStatus.AWAITING_REVIEW, actor=None, notify=False)
    if status in (RmaStatus.SUBMITTED, RmaStatus.AWAITING_REVIEW):
        return rma
    if status is RmaStatus.REJECTED:
        handling.reject(rma, actor=staff, reason=REJECTION)
        return rma
    handling.approve(rma, actor=staff, instructions=INSTRUCTIONS)
    if status is RmaStatus.APPROVED:
        return rma
    if status is RmaStatus.IN_TRANSIT:
        with atomic():
            info = handling.info_of(rma, fresh=True)
            info.tracking_number = f"DEMO{rma.id:08d}"
            move_rma(
                rma, info, RmaStatus.IN_TRANSIT, actor=delivered.buyer, note=info.tracking_number
            )
        return rma
    [claim] = handling.claim_lines(rma)
    handling.receive(rma, actor=staff, quantities={claim.line.id: CLAIMED})
    if status is RmaStatus.RECEIVED:
        return rma
    damaged = kind is RmaKind.COMPLAINT
    handling.inspect(
        rma,
        actor=staff,
        findings=[
            Inspection(
                claim.line.id,
                CLAIMED,
                Condition.DAMAGED if damaged else Condition.RESELLABLE,
                notes="Crack in the housing confirmed." if damaged else "Unopened, resellable.",
                photos=[picture(claim.line.id, "inspection", damaged=damaged)],
            )
        ],
    )
    if status is RmaStatus.INSPECTED:
        return rma
    if wanted is Resolution.REFUND and delivered.invoice is not None:
        _pay(delivered.invoice)
    resolution.resolve(rma, actor=staff)
    if status is RmaStatus.CLOSED:
        resolution.close(rma, actor=staff)
    return rma


def _pay(invoice: Document) -> None:
    """The partner paid its invoice by transfer (once), so a refund has money to return."""
    fresh = db.session.get_one(Document, invoice.id)
    open_amount = fresh.gross_total - fresh.paid_total
    if open_amount <= 0:
        return
    record_payment(
        DocumentKind.KP,
        db.session.get_one(Company, fresh.company_id),
        open_amount,
        on=local_today() - timedelta(days=3),
        channel=PaymentChannel.BANK_TRANSFER,
        reference=f"Przelew {fresh.number}",
        actor=None,
        allocations=[(fresh, open_amount)],
    )


# --- the benchmark's volume ---------------------------------------------------------------------


def load_rma_volume(*, rma_lines: int, seed: int) -> tuple[int, int]:
    """About `rma_lines` RMA lines (1 to 4 per RMA, every status) on delivered lines already
    in the database, by Core bulk inserts; returns (RMAs, lines) added."""
    rng = random.Random(f"{seed}/rma-volume")
    delivered = db.session.execute(
        sa.select(
            DocumentLine.id,
            DocumentLine.document_id,
            DocumentLine.product_id,
            DocumentLine.sku,
            DocumentLine.name,
            DocumentLine.unit,
            DocumentLine.unit_price,
            DocumentLine.vat_percent,
            Document.company_id,
            Document.user_id,
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            Document.kind == DocumentKind.WZ,
            Document.company_id.is_not(None),
            DocumentLine.product_id.is_not(None),
        )
        .order_by(DocumentLine.id)
        .limit(max(rma_lines, 1000))
    ).all()
    if not delivered:
        return 0, 0
    orders_of = {
        note_id: order_id
        for order_id, note_id in db.session.execute(
            sa.select(DocumentLink.source_id, DocumentLink.target_id)
            .join(Document, Document.id == DocumentLink.source_id)
            .where(
                Document.kind == DocumentKind.ZK,
                DocumentLink.target_id.in_({row.document_id for row in delivered}),
            )
        )
    }
    reasons = {
        kind: list(
            db.session.scalars(
                sa.select(ReasonCode.id).where(
                    ReasonCode.kind
                    == (ReasonKind.RETURN if kind is RmaKind.RETURN else ReasonKind.COMPLAINT)
                )
            )
        )
        for kind in RmaKind
    }
    buyers = {
        company_id: user_id
        for company_id, user_id in db.session.execute(
            sa.select(User.company_id, sa.func.min(User.id))
            .where(User.role == Role.BUYER)
            .group_by(User.company_id)
        )
    }
    by_company: dict[int, list[Any]] = {}
    for row in delivered:
        if row.document_id in orders_of:
            by_company.setdefault(row.company_id, []).append(row)
    companies = sorted(by_company)
    if not companies:
        return 0, 0
    today = local_today()
    counters = _Series.load()
    next_document, next_line = next_id(Document), next_id(DocumentLine)
    documents, lines, infos, details, events = [], [], [], [], []
    made_rmas = made_lines = 0
    statuses = list(RmaStatus)
    while made_lines < rma_lines:
        company_id = rng.choice(companies)
        pool = by_company[company_id]
        count = min(rng.randint(1, 4), rma_lines - made_lines, len(pool))
        picked = rng.sample(pool, count)
        issued_on = today - timedelta(days=rng.randrange(0, 365))
        created = utcnow() - timedelta(days=(today - issued_on).days, minutes=rng.randrange(600))
        kind = RmaKind.RETURN if rng.random() < 0.6 else RmaKind.COMPLAINT
        status = rng.choice(statuses)
        document_id = next_document
        next_document += 1
        net_total = Decimal("0.00")
        for position, row in enumerate(picked, start=1):
            net_total += row.unit_price
            lines.append(
                {
                    "id": next_line,
                    "document_id": document_id,
                    "position": position,
                    "product_id": row.product_id,
                    "sku": row.sku,
                    "name": row.name,
                    "unit": row.unit,
                    "quantity": Decimal(1),
                    "list_price": row.unit_price,
                    "unit_price": row.unit_price,
                    "vat_percent": row.vat_percent,
                    "discount": Decimal("0.00"),
                    "net": row.unit_price,
                    "reserved": Decimal(0),
                    "picked": Decimal(0),
                    "source_line_id": row.id,
                    "batch_id": None,
                    "unit_cost": None,
                }
            )
            details.append(
                {
                    "document_line_id": next_line,
                    "delivered_line_id": row.id,
                    "claimed": Decimal(0) if status is RmaStatus.REJECTED else Decimal(1),
                    "order_id": orders_of[row.document_id],
                    "reason_id": rng.choice(reasons[kind]),
                    "description": DESCRIPTIONS[kind],
                    "resolution": rng.choice(list(Resolution)),
                    "accepted_quantity": None,
                    "condition": None,
                    "inspection_notes": "",
                    "batch_id": None,
                }
            )
            next_line += 1
        documents.append(
            {
                "id": document_id,
                "kind": DocumentKind.RMA,
                "number": counters.next(issued_on),
                "issued_on": issued_on,
                "company_id": company_id,
                "warehouse_id": None,
                "status_id": None,
                "user_id": buyers.get(company_id),
                "created_by_id": buyers.get(company_id),
                "net_total": net_total,
                "vat_total": Decimal("0.00"),
                "gross_total": Decimal("0.00"),
                "created_at": created,
                "updated_at": created,
                "state": DocumentState.ISSUED,
                "target_warehouse_id": None,
                "supplier_id": None,
                "due_on": None,
                "paid_total": Decimal("0.00"),
                "reason": "",
                "reference": "",
                "note": "",
                "pdf_key": None,
            }
        )
        resolved = status in (RmaStatus.RESOLVED, RmaStatus.CLOSED)
        infos.append(
            {
                "document_id": document_id,
                "kind": kind,
                "status": status,
                "idempotency_key": f"volume-{document_id}",
                "auto_approved": False,
                "instructions": "",
                "rejection_reason": REJECTION if status is RmaStatus.REJECTED else "",
                "tracking_number": "",
                "submitted_at": created,
                "decided_at": None,
                "received_at": None,
                "resolved_at": created + timedelta(days=rng.randint(2, 20)) if resolved else None,
                "closed_at": None,
                "refund_state": "none",
                "refund_amount": Decimal("0.00"),
                "refund_error": "",
                "stripe_refund_id": None,
                "restocking_fee": Decimal("0.00"),
            }
        )
        events.append(
            {
                "document_id": document_id,
                "at": created,
                "kind": EventKind.STATUS,
                "actor_id": buyers.get(company_id),
                "on_behalf_of_id": None,
                "from_status_id": None,
                "to_status_id": None,
                "note": "",
                "rma_status": status.value,
            }
        )
        made_rmas += 1
        made_lines += count
        if len(lines) >= 20_000:
            _flush(documents, lines, infos, details, events)
    _flush(documents, lines, infos, details, events)
    counters.save()
    from portal.demo.bulk import sync_sequences

    sync_sequences()
    db.session.commit()
    return made_rmas, made_lines


def _flush(*batches: list[dict[str, object]]) -> None:
    documents, lines, infos, details, events = batches
    insert(Document, documents)
    insert(DocumentLine, lines)
    insert(RmaInfo, infos)
    insert(RmaLine, details)
    for start in range(0, len(events), 5000):
        db.session.execute(sa.insert(table(DocumentEvent)), events[start : start + 5000])
    db.session.commit()
    for batch in batches:
        batch.clear()


@dataclass
class _Series:
    """The RMA series per year, moved past the numbers the volume uses."""

    last: dict[str, int]

    @classmethod
    def load(cls) -> _Series:
        return cls(
            {
                period: number
                for period, number in db.session.execute(
                    sa.select(DocumentSeries.period, DocumentSeries.last_number).where(
                        DocumentSeries.kind == DocumentKind.RMA
                    )
                )
            }
        )

    def next(self, on: date) -> str:
        period = period_of(DocumentKind.RMA, on)
        self.last[period] = self.last.get(period, 0) + 1
        return format_number(DocumentKind.RMA, period, self.last[period])

    def save(self) -> None:
        for period, number in self.last.items():
            row = db.session.get(DocumentSeries, (DocumentKind.RMA, period))
            if row is None:
                db.session.add(
                    DocumentSeries(kind=DocumentKind.RMA, period=period, last_number=number)
                )
            else:
                row.last_number = max(row.last_number, number)
        db.session.flush()


def echo_loaded(rmas: int, lines: int) -> None:
    click.echo(f"demo: added {rmas} RMAs with {lines} lines.")
