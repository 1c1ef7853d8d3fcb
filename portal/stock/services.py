"""Stock documents: goods receipts (PZ), stock-ins (PW), write-offs (RW), transfers (MM),
stocktakes, and purchase orders to suppliers (ZD).

Each command is one transaction: the document is issued (numbered, with its lines) and the
ledger moves are written in the same `atomic()`, so a refused line (below zero, dated before
its receipt) leaves nothing behind. Moves run in (warehouse, product) order, the lock order
of the stock rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.catalog.models import Category, Product
from portal.catalog.queries import products_by_codes
from portal.core.db import atomic, db, utcnow
from portal.core.i18n import gettext as _
from portal.core.money import ZERO, round_money
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentState,
    EventKind,
    ReasonCode,
    ReasonKind,
)
from portal.documents.numbering import allocate_number
from portal.documents.services import LineDraft, add_event, issue, link, totals_for
from portal.orders.models import OrderStatus, StatusType
from portal.stock.ledger import (
    DEFAULT_LOT,
    NotEnoughStock,
    StockError,
    batch_for,
    receive,
    suggest_batches,
    take,
)
from portal.stock.models import (
    Batch,
    StockLevel,
    Stocktake,
    StocktakeLine,
    StocktakeState,
    Supplier,
    SupplierProduct,
    Warehouse,
)

RETURNED_TO_SUPPLIER = "returned_to_supplier"
"""The write-off reason whose goods leave at zero value (the supplier credits them)."""
STOCKTAKE_REASON = "stocktake"
MAX_LOT = 40
MAX_QUANTITY = Decimal("1000000")
OPEN_ORDER_TYPES_FOR_PURCHASE = (StatusType.NEUTRAL, StatusType.PROBLEM)
"""Confirmed orders (confirmed, picking, packed, on hold): what they lack is bought in."""


# ---------------------------------------------------------------------------------------
# Lines as staff enter them


@dataclass(frozen=True)
class InLine:
    """A line coming in: a receipt (PZ) or a stock-in (PW)."""

    product_id: int
    quantity: Decimal
    unit_cost: Decimal | None = None
    """None on a PW: the batch's cost, else the preferred supplier's price, else zero."""
    lot: str = DEFAULT_LOT
    expires_on: date | None = None


@dataclass(frozen=True)
class OutLine:
    """A line going out: a write-off (RW) or a transfer (MM), from a chosen batch or FEFO."""

    product_id: int
    quantity: Decimal
    batch_id: int | None = None


@dataclass(frozen=True)
class _Planned:
    """One document line to be: a product, a batch and its quantity."""

    product: Product
    batch: Batch
    quantity: Decimal
    unit_cost: Decimal


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _products(ids: Iterable[int]) -> dict[int, Product]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {
        product.id: product
        for product in db.session.scalars(
            sa.select(Product).where(Product.id.in_(wanted)).options(joinedload(Product.vat_rate))
        )
    }


def check_quantity(product: Product, quantity: Decimal) -> None:
    """Positive, whole for pieces, at most 3 decimals for kg, m and l."""
    if not quantity.is_finite() or quantity <= 0:
        raise StockError(_("%(sku)s: the quantity must be more than zero.", sku=product.sku))
    if quantity > MAX_QUANTITY:
        raise StockError(_("%(sku)s: the quantity is too large.", sku=product.sku))
    places = 3 if product.unit.allows_fraction else 0
    if quantity != quantity.quantize(Decimal(1).scaleb(-places)):
        if places:
            raise StockError(_("%(sku)s: at most 3 decimal places.", sku=product.sku))
        raise StockError(_("%(sku)s: whole units only.", sku=product.sku))


def _check_cost(product: Product, cost: Decimal) -> None:
    if not cost.is_finite() or cost < 0 or cost != round_money(cost) or cost > MAX_QUANTITY:
        raise StockError(
            _("%(sku)s: the unit cost must be an amount of at least 0.00.", sku=product.sku)
        )


def _warehouse(warehouse_id: int) -> Warehouse:
    warehouse = db.session.get(Warehouse, warehouse_id)
    if warehouse is None:
        raise StockError(_("Choose a warehouse."))
    return warehouse


def _draft(
    product: Product, planned_quantity: Decimal, unit_cost: Decimal, *, vat: bool, batch_id: int
) -> LineDraft:
    return LineDraft(
        sku=product.sku,
        name=product.name,
        unit=product.unit.value,
        quantity=planned_quantity,
        unit_price=unit_cost,
        list_price=product.list_price,
        vat_percent=product.vat_rate.percent if vat else ZERO,
        product_id=product.id,
        batch_id=batch_id,
        unit_cost=unit_cost,
    )


def _run_in_lock_order(steps: list[tuple[int, int, Callable[[], object]]]) -> None:
    """Ledger steps sorted by (warehouse, product): concurrent documents cannot deadlock."""
    for _warehouse_id, _product_id, step in sorted(steps, key=lambda s: (s[0], s[1])):
        step()


def _preferred_cost(product_id: int) -> Decimal:
    price = db.session.scalar(
        sa.select(SupplierProduct.purchase_price)
        .where(SupplierProduct.product_id == product_id)
        .order_by(SupplierProduct.position, SupplierProduct.supplier_id)
        .limit(1)
    )
    return price if price is not None else ZERO


def _existing_batch(product_id: int, lot: str) -> Batch | None:
    return db.session.scalar(
        sa.select(Batch).where(Batch.product_id == product_id, Batch.lot == lot)
    )


# ---------------------------------------------------------------------------------------
# Stock in: PZ and PW


def _bring_in(
    kind: DocumentKind,
    lines: Sequence[InLine],
    *,
    warehouse_id: int,
    on: date,
    actor: User | None,
    supplier_id: int | None = None,
    reason: str = "",
    reference: str = "",
    note: str = "",
) -> tuple[Document, list[DocumentLine]]:
    if not lines:
        raise StockError(_("Add at least one line."))
    _warehouse(warehouse_id)
    products = _products(line.product_id for line in lines)
    planned: list[_Planned] = []
    for line in lines:
        product = products.get(line.product_id)
        if product is None:
            raise StockError(_("Unknown product."))
        check_quantity(product, line.quantity)
        lot = (line.lot or "").strip() or DEFAULT_LOT
        if len(lot) > MAX_LOT:
            raise StockError(_("%(sku)s: a lot has at most 40 characters.", sku=product.sku))
        cost = line.unit_cost
        if cost is None:
            existing = _existing_batch(product.id, lot)
            cost = existing.unit_cost if existing else _preferred_cost(product.id)
        _check_cost(product, cost)
        batch = batch_for(
            product.id, lot, expires_on=line.expires_on, received_on=on, unit_cost=cost
        )
        planned.append(_Planned(product, batch, line.quantity, cost))
    drafts = [
        _draft(p.product, p.quantity, p.unit_cost, vat=kind is DocumentKind.PZ, batch_id=p.batch.id)
        for p in planned
    ]
    document, rows = issue(
        kind,
        on=on,
        actor=actor,
        lines=drafts,
        warehouse_id=warehouse_id,
        supplier_id=supplier_id,
        reason=reason,
        reference=reference,
        note=note,
    )
    steps: list[tuple[int, int, Callable[[], object]]] = []
    for row, plan in zip(rows, planned, strict=True):
        steps.append(
            (
                warehouse_id,
                plan.product.id,
                partial(
                    receive,
                    row,
                    warehouse_id=warehouse_id,
                    batch=plan.batch,
                    quantity=plan.quantity,
                    unit_cost=plan.unit_cost,
                    on=on,
                ),
            )
        )
    _run_in_lock_order(steps)
    return document, rows


def receive_goods(
    *,
    supplier_id: int,
    warehouse_id: int,
    lines: Sequence[InLine],
    on: date,
    actor: User | None,
    reference: str = "",
    note: str = "",
) -> Document:
    """A goods receipt (PZ) at purchase cost; the supplier's price of each product is kept."""
    with atomic():
        supplier = db.session.get(Supplier, supplier_id)
        if supplier is None:
            raise StockError(_("Choose a supplier."))
        for line in lines:
            if line.unit_cost is None:
                raise StockError(_("A goods receipt needs the purchase cost of every line."))
        document, _rows = _bring_in(
            DocumentKind.PZ,
            lines,
            warehouse_id=warehouse_id,
            on=on,
            actor=actor,
            supplier_id=supplier.id,
            reference=reference,
            note=note,
        )
        for line in lines:
            assert line.unit_cost is not None
            _remember_price(supplier.id, line.product_id, line.unit_cost)
        return document


def _remember_price(supplier_id: int, product_id: int, price: Decimal) -> None:
    offer = db.session.get(SupplierProduct, (supplier_id, product_id))
    if offer is not None:
        offer.purchase_price = price
        return
    last = db.session.scalar(
        sa.select(sa.func.max(SupplierProduct.position)).where(
            SupplierProduct.product_id == product_id
        )
    )
    db.session.add(
        SupplierProduct(
            supplier_id=supplier_id,
            product_id=product_id,
            purchase_price=price,
            position=0 if last is None else last + 1,
        )
    )
    db.session.flush()


def stock_in(
    *,
    warehouse_id: int,
    lines: Sequence[InLine],
    on: date,
    actor: User | None,
    reference: str = "",
    note: str = "",
) -> Document:
    """A stock-in (PW): goods found, opening balances, stocktake surpluses."""
    with atomic():
        document, _rows = _bring_in(
            DocumentKind.PW,
            lines,
            warehouse_id=warehouse_id,
            on=on,
            actor=actor,
            reference=reference,
            note=note,
        )
        return document


# ---------------------------------------------------------------------------------------
# Stock out: RW and MM


def _plan_out(lines: Sequence[OutLine], warehouse_id: int) -> list[_Planned]:
    """Per batch: the chosen one, or the first to expire (then the oldest receipt)."""
    if not lines:
        raise StockError(_("Add at least one line."))
    products = _products(line.product_id for line in lines)
    merged: dict[tuple[int, int | None], Decimal] = {}
    for line in lines:
        product = products.get(line.product_id)
        if product is None:
            raise StockError(_("Unknown product."))
        check_quantity(product, line.quantity)
        key = (line.product_id, line.batch_id)
        merged[key] = merged.get(key, ZERO) + line.quantity
    planned: list[_Planned] = []
    for (product_id, batch_id), quantity in merged.items():
        product = products[product_id]
        if batch_id is not None:
            batch = db.session.get(Batch, batch_id)
            if batch is None or batch.product_id != product_id:
                raise StockError(_("%(sku)s: no such batch.", sku=product.sku))
            planned.append(_Planned(product, batch, quantity, batch.unit_cost))
            continue
        plan = suggest_batches(product_id, warehouse_id, quantity)
        found = sum((part for _batch, part in plan), ZERO)
        if found < quantity:
            raise NotEnoughStock(
                _(
                    "%(sku)s: only %(on_hand)s on hand in this warehouse; %(quantity)s cannot "
                    "be issued.",
                    sku=product.sku,
                    on_hand=_plain(found),
                    quantity=_plain(quantity),
                )
            )
        planned += [_Planned(product, batch, part, batch.unit_cost) for batch, part in plan]
    return planned


def write_off(
    *,
    warehouse_id: int,
    lines: Sequence[OutLine],
    reason: str,
    on: date,
    actor: User | None,
    reference: str = "",
    note: str = "",
) -> Document:
    """A write-off (RW) at batch cost; goods returned to the supplier leave at zero value."""
    with atomic():
        _warehouse(warehouse_id)
        code = db.session.scalar(
            sa.select(ReasonCode).where(
                ReasonCode.kind == ReasonKind.WRITE_OFF,
                ReasonCode.code == reason,
                ReasonCode.active.is_(True),
            )
        )
        if code is None:
            raise StockError(_("Choose a reason for the write-off."))
        planned = _plan_out(lines, warehouse_id)
        at_zero = reason == RETURNED_TO_SUPPLIER
        costs = [ZERO if at_zero else plan.unit_cost for plan in planned]
        drafts = [
            _draft(plan.product, plan.quantity, cost, vat=False, batch_id=plan.batch.id)
            for plan, cost in zip(planned, costs, strict=True)
        ]
        document, rows = issue(
            DocumentKind.RW,
            on=on,
            actor=actor,
            lines=drafts,
            warehouse_id=warehouse_id,
            reason=reason,
            reference=reference,
            note=note,
        )
        steps: list[tuple[int, int, Callable[[], object]]] = []
        for row, plan, cost in zip(rows, planned, costs, strict=True):
            steps.append(
                (
                    warehouse_id,
                    plan.product.id,
                    partial(
                        take,
                        row,
                        warehouse_id=warehouse_id,
                        batch=plan.batch,
                        quantity=plan.quantity,
                        on=on,
                        unit_cost=cost,
                    ),
                )
            )
        _run_in_lock_order(steps)
        return document


def transfer(
    *,
    from_warehouse_id: int,
    to_warehouse_id: int,
    lines: Sequence[OutLine],
    on: date,
    actor: User | None,
    note: str = "",
) -> Document:
    """A warehouse transfer (MM): each batch leaves one warehouse and enters the other, one
    document line per batch, both moves on that line."""
    with atomic():
        _warehouse(from_warehouse_id)
        _warehouse(to_warehouse_id)
        if from_warehouse_id == to_warehouse_id:
            raise StockError(_("A transfer goes to another warehouse."))
        planned = _plan_out(lines, from_warehouse_id)
        drafts = [
            _draft(plan.product, plan.quantity, plan.unit_cost, vat=False, batch_id=plan.batch.id)
            for plan in planned
        ]
        document, rows = issue(
            DocumentKind.MM,
            on=on,
            actor=actor,
            lines=drafts,
            warehouse_id=from_warehouse_id,
            target_warehouse_id=to_warehouse_id,
            note=note,
        )
        steps: list[tuple[int, int, Callable[[], object]]] = []
        for row, plan in zip(rows, planned, strict=True):
            steps.append(
                (
                    from_warehouse_id,
                    plan.product.id,
                    partial(
                        take,
                        row,
                        warehouse_id=from_warehouse_id,
                        batch=plan.batch,
                        quantity=plan.quantity,
                        on=on,
                    ),
                )
            )
            steps.append(
                (
                    to_warehouse_id,
                    plan.product.id,
                    partial(
                        receive,
                        row,
                        warehouse_id=to_warehouse_id,
                        batch=plan.batch,
                        quantity=plan.quantity,
                        unit_cost=plan.batch.unit_cost,
                        on=on,
                    ),
                )
            )
        _run_in_lock_order(steps)
        return document


# ---------------------------------------------------------------------------------------
# Stocktake


class StocktakeClosed(StockError):
    pass


def open_stocktake(
    *, warehouse_id: int, category_id: int | None = None, actor: User | None
) -> Stocktake:
    """A count of a warehouse, or of one category (with its subcategories) of it."""
    with atomic():
        _warehouse(warehouse_id)
        if category_id is not None and db.session.get(Category, category_id) is None:
            raise StockError(_("No such category."))
        stocktake = Stocktake(
            warehouse_id=warehouse_id,
            category_id=category_id,
            opened_by_id=actor.id if actor else None,
        )
        db.session.add(stocktake)
        db.session.flush()
        return stocktake


def _open(stocktake: Stocktake) -> None:
    if stocktake.state is not StocktakeState.OPEN:
        raise StocktakeClosed(_("This stocktake is no longer open."))


def _in_scope(stocktake: Stocktake, product: Product) -> bool:
    if stocktake.category_id is None:
        return True
    if product.category_id is None:
        return False
    scope = db.session.get_one(Category, stocktake.category_id)
    path = db.session.scalar(sa.select(Category.path).where(Category.id == product.category_id))
    return bool(path and path.startswith(scope.path))


def on_hand(product_id: int, warehouse_id: int) -> Decimal:
    found = db.session.scalar(
        sa.select(StockLevel.on_hand).where(
            StockLevel.product_id == product_id, StockLevel.warehouse_id == warehouse_id
        )
    )
    return found if found is not None else ZERO


def count_product(
    stocktake: Stocktake, *, code: str, counted: Decimal, actor: User | None
) -> StocktakeLine:
    """Records a counted quantity (a recount replaces it) with the book stock of that moment,
    so moves before and after the count are both accounted for when it is posted."""
    with atomic():
        _open(stocktake)
        product = products_by_codes([code]).get(code.strip().upper())
        if product is None:
            raise StockError(_("No product has the SKU or EAN %(code)s.", code=code.strip()[:64]))
        if not _in_scope(stocktake, product):
            raise StockError(_("%(sku)s is not in this stocktake's category.", sku=product.sku))
        if not counted.is_finite() or counted < 0:
            raise StockError(_("%(sku)s: a counted quantity cannot be negative.", sku=product.sku))
        if counted != 0:
            check_quantity(product, counted)
        book = on_hand(product.id, stocktake.warehouse_id)
        line = db.session.get(StocktakeLine, (stocktake.id, product.id))
        if line is None:
            line = StocktakeLine(stocktake_id=stocktake.id, product_id=product.id)
            db.session.add(line)
        line.counted = counted
        line.book_at_count = book
        line.counted_at = utcnow()
        line.counted_by_id = actor.id if actor else None
        db.session.flush()
        return line


def remove_count(stocktake: Stocktake, product_id: int) -> None:
    with atomic():
        _open(stocktake)
        db.session.execute(
            sa.delete(StocktakeLine).where(
                StocktakeLine.stocktake_id == stocktake.id,
                StocktakeLine.product_id == product_id,
            )
        )


@dataclass(frozen=True)
class Posted:
    stock_in: Document | None
    write_off: Document | None


def post_stocktake(stocktake: Stocktake, *, actor: User | None, on: date) -> Posted:
    """Books counted − book-at-count of every line now: surpluses on one PW, shortages on one
    RW (reason "stocktake"), the two linked to each other."""
    with atomic():
        closed = db.session.execute(
            sa.update(Stocktake)
            .where(Stocktake.id == stocktake.id, Stocktake.state == StocktakeState.OPEN)
            .values(state=StocktakeState.POSTED, posted_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            raise StocktakeClosed(_("This stocktake is no longer open."))
        lines = list(
            db.session.scalars(
                sa.select(StocktakeLine)
                .where(StocktakeLine.stocktake_id == stocktake.id)
                .order_by(StocktakeLine.product_id)
            )
        )
        if not lines:
            raise StockError(_("Count at least one product before posting."))
        surplus = [
            InLine(line.product_id, line.counted - line.book_at_count, lot=_surplus_lot(line))
            for line in lines
            if line.counted > line.book_at_count
        ]
        shortage = [
            OutLine(line.product_id, line.book_at_count - line.counted)
            for line in lines
            if line.counted < line.book_at_count
        ]
        reference = stocktake_reference(stocktake)
        found = (
            stock_in(
                warehouse_id=stocktake.warehouse_id,
                lines=surplus,
                on=on,
                actor=actor,
                reference=reference,
            )
            if surplus
            else None
        )
        lost = (
            write_off(
                warehouse_id=stocktake.warehouse_id,
                lines=shortage,
                reason=STOCKTAKE_REASON,
                on=on,
                actor=actor,
                reference=reference,
            )
            if shortage
            else None
        )
        if found and lost:
            link(found, lost)
        db.session.execute(
            sa.update(Stocktake)
            .where(Stocktake.id == stocktake.id)
            .values(
                stock_in_id=found.id if found else None,
                write_off_id=lost.id if lost else None,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(stocktake)
        return Posted(found, lost)


def stocktake_reference(stocktake: Stocktake) -> str:
    """What the stocktake's PW and RW carry as their outside reference."""
    return f"INW-{stocktake.id}"


def _surplus_lot(line: StocktakeLine) -> str:
    """A surplus joins the product's newest batch; without one it is the default lot."""
    lot = db.session.scalar(
        sa.select(Batch.lot)
        .where(Batch.product_id == line.product_id)
        .order_by(Batch.received_on.desc(), Batch.id.desc())
        .limit(1)
    )
    return lot or DEFAULT_LOT


def cancel_stocktake(stocktake: Stocktake, *, actor: User | None) -> None:
    with atomic():
        cancelled = db.session.execute(
            sa.update(Stocktake)
            .where(Stocktake.id == stocktake.id, Stocktake.state == StocktakeState.OPEN)
            .values(state=StocktakeState.CANCELLED)
            .execution_options(synchronize_session=False)
        )
        if cancelled.rowcount != 1:  # type: ignore[attr-defined]
            raise StocktakeClosed(_("This stocktake is no longer open."))
        db.session.refresh(stocktake)


# ---------------------------------------------------------------------------------------
# Purchase orders to suppliers (ZD)


@dataclass
class Drafted:
    documents: list[Document] = field(default_factory=list)
    without_supplier: list[str] = field(default_factory=list)
    """SKUs nobody sells us: they stay off every draft."""


def _preferred_offers(product_ids: Iterable[int]) -> dict[int, SupplierProduct]:
    offers: dict[int, SupplierProduct] = {}
    ids = set(product_ids)
    if not ids:
        return offers
    for offer in db.session.scalars(
        sa.select(SupplierProduct)
        .where(SupplierProduct.product_id.in_(ids))
        .order_by(SupplierProduct.product_id, SupplierProduct.position, SupplierProduct.supplier_id)
    ):
        offers.setdefault(offer.product_id, offer)
    return offers


def _draft_for(supplier_id: int, warehouse_id: int, actor: User | None) -> Document:
    """The supplier's open draft for this warehouse, or a new one."""
    draft = db.session.scalar(
        sa.select(Document)
        .where(
            Document.kind == DocumentKind.ZD,
            Document.state == DocumentState.DRAFT,
            Document.supplier_id == supplier_id,
            Document.warehouse_id == warehouse_id,
        )
        .order_by(Document.id)
        .limit(1)
    )
    if draft is None:
        draft = Document(
            kind=DocumentKind.ZD,
            number=None,
            issued_on=None,
            state=DocumentState.DRAFT,
            supplier_id=supplier_id,
            warehouse_id=warehouse_id,
            created_by_id=actor.id if actor else None,
        )
        db.session.add(draft)
        db.session.flush()
        add_event(draft, EventKind.CREATED, actor=actor)
    return draft


def _add_to_draft(draft: Document, product: Product, quantity: Decimal, price: Decimal) -> None:
    line = db.session.scalar(
        sa.select(DocumentLine).where(
            DocumentLine.document_id == draft.id, DocumentLine.product_id == product.id
        )
    )
    if line is None:
        position = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(DocumentLine.position), 0)).where(
                DocumentLine.document_id == draft.id
            )
        )
        line = DocumentLine(
            document_id=draft.id,
            position=(position or 0) + 1,
            product_id=product.id,
            sku=product.sku,
            name=product.name,
            unit=product.unit.value,
            quantity=quantity,
            list_price=product.list_price,
            unit_price=price,
            vat_percent=product.vat_rate.percent,
            net=round_money(price * quantity),
            unit_cost=price,
        )
        db.session.add(line)
    else:
        line.quantity += quantity
        line.net = round_money(line.unit_price * line.quantity)
    db.session.flush()


def _retotal(draft: Document) -> None:
    lines = db.session.scalars(
        sa.select(DocumentLine).where(DocumentLine.document_id == draft.id)
    ).all()
    totals = totals_for(DocumentKind.ZD, lines)
    draft.net_total, draft.vat_total, draft.gross_total = totals.net, totals.vat, totals.gross


def draft_purchase_orders(
    items: Sequence[tuple[int, Decimal]],
    *,
    warehouse_id: int,
    actor: User | None,
    sources: dict[int, list[Document]] | None = None,
) -> Drafted:
    """Puts (product, quantity) on one draft ZD per preferred supplier (the offer with the
    lowest position), merging into the supplier's open draft; `sources` are the customer
    orders each product is bought for, linked to the draft."""
    with atomic():
        _warehouse(warehouse_id)
        products = _products(product_id for product_id, _quantity in items)
        offers = _preferred_offers(products)
        result = Drafted()
        drafts: dict[int, Document] = {}
        for product_id, quantity in items:
            product = products.get(product_id)
            if product is None or quantity <= 0:
                continue
            check_quantity(product, quantity)
            offer = offers.get(product_id)
            if offer is None:
                result.without_supplier.append(product.sku)
                continue
            draft = drafts.get(offer.supplier_id)
            if draft is None:
                draft = drafts[offer.supplier_id] = _draft_for(
                    offer.supplier_id, warehouse_id, actor
                )
            _add_to_draft(draft, product, quantity, offer.purchase_price)
            for order in (sources or {}).get(product_id, []):
                link(order, draft)
        for draft in drafts.values():
            _retotal(draft)
        db.session.flush()
        result.documents = list(drafts.values())
        return result


def draft_from_orders(*, actor: User | None) -> Drafted:
    """What confirmed customer orders lack (ordered − reserved), per warehouse, on drafts
    per supplier; orders already on a purchase order are left out."""
    with atomic():
        on_order = (
            sa.select(DocumentLink.source_id)
            .join(Document, Document.id == DocumentLink.target_id)
            .where(Document.kind == DocumentKind.ZD, Document.state != DocumentState.CANCELLED)
        )
        rows = db.session.execute(
            sa.select(
                Document, DocumentLine.product_id, DocumentLine.quantity, DocumentLine.reserved
            )
            .join(DocumentLine, DocumentLine.document_id == Document.id)
            .join(OrderStatus, OrderStatus.id == Document.status_id)
            .where(
                Document.kind == DocumentKind.ZK,
                OrderStatus.type.in_(OPEN_ORDER_TYPES_FOR_PURCHASE),
                DocumentLine.product_id.is_not(None),
                DocumentLine.quantity > DocumentLine.reserved,
                Document.id.not_in(on_order),
            )
            .order_by(Document.id, DocumentLine.position)
        ).all()
        per_warehouse: dict[int, dict[int, Decimal]] = {}
        sources: dict[int, dict[int, list[Document]]] = {}
        for order, product_id, quantity, reserved in rows:
            warehouse_id = order.warehouse_id
            assert warehouse_id is not None and product_id is not None
            wanted = per_warehouse.setdefault(warehouse_id, {})
            wanted[product_id] = wanted.get(product_id, ZERO) + (quantity - reserved)
            sources.setdefault(warehouse_id, {}).setdefault(product_id, []).append(order)
        result = Drafted()
        for warehouse_id, wanted in sorted(per_warehouse.items()):
            drafted = draft_purchase_orders(
                list(wanted.items()),
                warehouse_id=warehouse_id,
                actor=actor,
                sources=sources[warehouse_id],
            )
            result.documents += drafted.documents
            result.without_supplier += drafted.without_supplier
        return result


class NotADraft(StockError):
    pass


def _editable(document: Document) -> None:
    if document.kind is not DocumentKind.ZD or document.state is not DocumentState.DRAFT:
        raise NotADraft(_("Only a draft purchase order can be changed."))


def change_draft(draft: Document, quantities: dict[int, Decimal], *, actor: User | None) -> None:
    """New quantities per line id; 0 removes the line."""
    with atomic():
        _editable(draft)
        lines = {
            line.id: line
            for line in db.session.scalars(
                sa.select(DocumentLine).where(DocumentLine.document_id == draft.id)
            )
        }
        products = _products(line.product_id for line in lines.values() if line.product_id)
        for line_id, quantity in quantities.items():
            line = lines.get(line_id)
            if line is None:
                continue
            if quantity == 0:
                db.session.delete(line)
                continue
            product = products.get(line.product_id or 0)
            if product is not None:
                check_quantity(product, quantity)
            line.quantity = quantity
            line.net = round_money(line.unit_price * quantity)
        db.session.flush()
        _retotal(draft)
        add_event(draft, EventKind.CHANGED, actor=actor)


def issue_purchase_order(draft: Document, *, actor: User | None, on: date) -> Document:
    """The draft gets its number and date; from now on it is not edited."""
    with atomic():
        _editable(draft)
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(DocumentLine)
            .where(DocumentLine.document_id == draft.id)
        )
        if not count:
            raise StockError(_("A purchase order needs at least one line."))
        _renumber(draft)
        draft.number = allocate_number(DocumentKind.ZD, on)
        draft.issued_on = on
        draft.state = DocumentState.ISSUED
        add_event(draft, EventKind.ISSUED, actor=actor)
        db.session.flush()
        return draft


def _renumber(draft: Document) -> None:
    """Positions 1..n after lines were removed (the unique position stays free of gaps)."""
    lines = db.session.scalars(
        sa.select(DocumentLine)
        .where(DocumentLine.document_id == draft.id)
        .order_by(DocumentLine.position)
    ).all()
    if [line.position for line in lines] == list(range(1, len(lines) + 1)):
        return
    for line in lines:  # out of the way first: (document, position) is unique
        line.position = -line.position
    db.session.flush()
    for position, line in enumerate(lines, start=1):
        line.position = position
    db.session.flush()


def discard_draft(draft: Document, *, actor: User | None) -> None:
    with atomic():
        _editable(draft)
        draft.state = DocumentState.CANCELLED
        add_event(draft, EventKind.CHANGED, actor=actor, note="discarded")
        db.session.flush()
