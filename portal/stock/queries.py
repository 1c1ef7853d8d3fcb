"""Stock reads: availability per product in a warehouse, and the office's stock screens."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.catalog.models import Product
from portal.catalog.search import matching
from portal.core.db import db, table_of
from portal.core.money import sum_of
from portal.documents.models import Document, DocumentKind, DocumentLine, DocumentState
from portal.stock.models import (
    Batch,
    BatchStock,
    StockLevel,
    StockMove,
    Stocktake,
    StocktakeLine,
    Supplier,
    SupplierProduct,
    Warehouse,
)

LOW_STOCK_FLOOR = Decimal("10")


class Availability(enum.StrEnum):
    IN_STOCK = "in_stock"
    LOW = "low"
    OUT = "out"


@dataclass(frozen=True)
class StockInfo:
    on_hand: Decimal
    reserved: Decimal
    min_stock: Decimal = Decimal("0")

    @property
    def available(self) -> Decimal:
        return max(self.on_hand - self.reserved, Decimal("0"))

    @property
    def level(self) -> Availability:
        if self.available <= 0:
            return Availability.OUT
        if self.available < max(self.min_stock, LOW_STOCK_FLOOR):
            return Availability.LOW
        return Availability.IN_STOCK


NO_STOCK = StockInfo(Decimal("0"), Decimal("0"))


# Statements every cart and checkout runs are built once (building one costs about as much
# Python as running it); `ids` expands to the list given.
MAIN_WAREHOUSE_ID = (
    sa.select(Warehouse.id).order_by(Warehouse.is_main.desc(), Warehouse.id).limit(1)
)
_LEVEL = table_of(StockLevel)  # columns only: the table's statement skips the ORM's work
_STOCK_IN = sa.select(_LEVEL.c.product_id, _LEVEL.c.on_hand, _LEVEL.c.reserved).where(
    _LEVEL.c.warehouse_id == sa.bindparam("warehouse"),
    _LEVEL.c.product_id.in_(sa.bindparam("ids", expanding=True)),
)


def main_warehouse_id() -> int:
    warehouse_id = db.session.scalar(MAIN_WAREHOUSE_ID)
    if warehouse_id is None:
        raise LookupError("no warehouse is configured")
    return warehouse_id


def stock_in(
    warehouse_id: int, product_ids: Iterable[int], min_stock: dict[int, Decimal] | None = None
) -> dict[int, StockInfo]:
    ids = list(product_ids)
    if not ids:
        return {}
    db.session.flush()  # a statement of the table does not flush changed objects itself
    rows = db.session.execute(_STOCK_IN, {"warehouse": warehouse_id, "ids": ids})
    minimums = min_stock or {}
    found = {
        row.product_id: StockInfo(
            row.on_hand, row.reserved, minimums.get(row.product_id, Decimal(0))
        )
        for row in rows
    }
    return {pid: found.get(pid, NO_STOCK) for pid in ids}


def stock_by_warehouse(product_id: int) -> list[tuple[Warehouse, StockInfo]]:
    rows = db.session.execute(
        sa.select(Warehouse, StockLevel)
        .outerjoin(
            StockLevel,
            sa.and_(StockLevel.warehouse_id == Warehouse.id, StockLevel.product_id == product_id),
        )
        .order_by(Warehouse.is_main.desc(), Warehouse.code)
    )
    return [
        (warehouse, StockInfo(level.on_hand, level.reserved) if level else NO_STOCK)
        for warehouse, level in rows
    ]


# ---------------------------------------------------------------------------------------
# The office's stock screens


PAGE_SIZE = 50
SALES_WEEKS = 4


def warehouses() -> list[Warehouse]:
    return list(
        db.session.scalars(sa.select(Warehouse).order_by(Warehouse.is_main.desc(), Warehouse.code))
    )


@dataclass(frozen=True)
class LevelRow:
    product_id: int
    sku: str
    name: str
    unit: str
    min_stock: Decimal
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.min_stock > 0 and self.available < self.min_stock


def _available(level: Any) -> Any:
    return sa.func.coalesce(level.on_hand, 0) - sa.func.coalesce(level.reserved, 0)


def stock_levels(
    warehouse_id: int,
    *,
    text: str = "",
    low_only: bool = False,
    after_sku: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[LevelRow]:
    """Products in SKU order with their stock in the warehouse (none is zero); one page,
    from `after_sku` on (keyset on the unique SKU index)."""
    level = sa.orm.aliased(StockLevel)
    query = (
        sa.select(
            Product.id,
            Product.sku,
            Product.name,
            Product.unit,
            Product.min_stock,
            sa.func.coalesce(level.on_hand, 0).label("on_hand"),
            sa.func.coalesce(level.reserved, 0).label("reserved"),
        )
        .outerjoin(
            level, sa.and_(level.product_id == Product.id, level.warehouse_id == warehouse_id)
        )
        .order_by(Product.sku)
        .limit(limit)
    )
    if after_sku:
        query = query.where(Product.sku > after_sku)
    words = text.strip()
    if words:
        match = matching(words)
        exact = words.upper()
        by_code = sa.or_(Product.sku.startswith(exact, autoescape=True), Product.ean == exact)
        query = query.where(
            sa.or_(by_code, Product.id.in_(sa.select(match.subquery.c.id)))
            if match is not None
            else by_code
        )
    if low_only:
        query = query.where(Product.min_stock > 0, _available(level) < Product.min_stock)
    return [
        LevelRow(
            product_id=row.id,
            sku=row.sku,
            name=row.name,
            unit=row.unit.value,
            min_stock=row.min_stock,
            on_hand=row.on_hand,
            reserved=row.reserved,
        )
        for row in db.session.execute(query)
    ]


@dataclass(frozen=True)
class ProductStock:
    product: Product
    levels: list[tuple[Warehouse, StockInfo]]
    batches: list[tuple[Batch, Warehouse, Decimal]]
    moves: list[tuple[StockMove, Document, Warehouse]]


def product_stock(product_id: int, *, moves: int = 50) -> ProductStock | None:
    product = db.session.get(Product, product_id)
    if product is None:
        return None
    batches = db.session.execute(
        sa.select(Batch, Warehouse, BatchStock.on_hand)
        .join(BatchStock, BatchStock.batch_id == Batch.id)
        .join(Warehouse, Warehouse.id == BatchStock.warehouse_id)
        .where(BatchStock.product_id == product_id, BatchStock.on_hand > 0)
        .order_by(Warehouse.code, Batch.expires_on.is_(None), Batch.expires_on, Batch.received_on)
    ).all()
    recent = db.session.execute(
        sa.select(StockMove, Document, Warehouse)
        .join(DocumentLine, DocumentLine.id == StockMove.document_line_id)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(Warehouse, Warehouse.id == StockMove.warehouse_id)
        .where(StockMove.product_id == product_id)
        .order_by(StockMove.moved_on.desc(), StockMove.id.desc())
        .limit(moves)
    ).all()
    return ProductStock(
        product=product,
        levels=stock_by_warehouse(product_id),
        batches=[(batch, warehouse, quantity) for batch, warehouse, quantity in batches],
        moves=[(move, document, warehouse) for move, document, warehouse in recent],
    )


# ---------------------------------------------------------------------------------------
# Low stock and what to reorder


def reorder_quantity(
    *, min_stock: Decimal, available: Decimal, sold: Decimal, pack_size: Decimal
) -> Decimal:
    """What to order of a product below its minimum: enough to reach twice the minimum, or
    what sold in the last four weeks if that is more; rounded up to whole packs."""
    wanted = max(2 * min_stock - available, sold, Decimal(0))
    pack = pack_size if pack_size > 0 else Decimal(1)
    packs = (wanted / pack).to_integral_value(rounding=ROUND_CEILING)
    return max(packs, Decimal(1)) * pack


@dataclass(frozen=True)
class LowRow:
    level: LevelRow
    pack_size: Decimal
    sold: Decimal
    """Shipped (WZ) in the last four weeks, from this warehouse."""
    supplier: str | None

    @property
    def suggested(self) -> Decimal:
        return reorder_quantity(
            min_stock=self.level.min_stock,
            available=self.level.available,
            sold=self.sold,
            pack_size=self.pack_size,
        )


def sold_since(warehouse_id: int, product_ids: list[int], since: date) -> dict[int, Decimal]:
    """Shipped quantities per product (WZ moves out), from the (product, warehouse, date)
    index of the moves."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        sa.select(StockMove.product_id, sum_of(StockMove.quantity))
        .join(DocumentLine, DocumentLine.id == StockMove.document_line_id)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            StockMove.product_id.in_(product_ids),
            StockMove.warehouse_id == warehouse_id,
            StockMove.moved_on >= since,
            StockMove.quantity < 0,
            Document.kind == DocumentKind.WZ,
        )
        .group_by(StockMove.product_id)
    )
    return {product_id: -total for product_id, total in rows}


def low_stock(
    warehouse_id: int,
    *,
    today: date,
    text: str = "",
    after_sku: str | None = None,
    limit: int = PAGE_SIZE,
) -> list[LowRow]:
    levels = stock_levels(warehouse_id, text=text, low_only=True, after_sku=after_sku, limit=limit)
    ids = [row.product_id for row in levels]
    sold = sold_since(warehouse_id, ids, today - timedelta(weeks=SALES_WEEKS))
    packs = (
        dict(
            db.session.execute(
                sa.select(Product.id, Product.pack_size).where(Product.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    suppliers: dict[int, str] = {}
    if ids:
        for product_id, name in db.session.execute(
            sa.select(SupplierProduct.product_id, Supplier.name)
            .join(Supplier, Supplier.id == SupplierProduct.supplier_id)
            .where(SupplierProduct.product_id.in_(ids))
            .order_by(SupplierProduct.product_id, SupplierProduct.position.desc())
        ):
            suppliers[product_id] = name  # the lowest position comes last and stays
    return [
        LowRow(
            level=row,
            pack_size=packs.get(row.product_id, Decimal(1)),
            sold=sold.get(row.product_id, Decimal(0)),
            supplier=suppliers.get(row.product_id),
        )
        for row in levels
    ]


# ---------------------------------------------------------------------------------------
# Purchase orders, stocktakes, suppliers


def purchase_orders(
    *, drafts: bool, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[Document]:
    """Draft or issued ZDs, newest first (keyset on id)."""
    states = [DocumentState.DRAFT] if drafts else [DocumentState.ISSUED]
    query = (
        sa.select(Document)
        .where(Document.kind == DocumentKind.ZD, Document.state.in_(states))
        .options(joinedload(Document.supplier), joinedload(Document.warehouse))
        .order_by(Document.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(Document.id < before_id)
    return list(db.session.scalars(query))


def purchase_order(document_id: int) -> Document | None:
    return db.session.scalar(
        sa.select(Document)
        .where(Document.id == document_id, Document.kind == DocumentKind.ZD)
        .options(joinedload(Document.supplier), joinedload(Document.warehouse))
    )


def suppliers() -> list[Supplier]:
    return list(db.session.scalars(sa.select(Supplier).order_by(Supplier.name)))


def stocktakes(limit: int = PAGE_SIZE) -> list[tuple[Stocktake, Warehouse, int]]:
    counted = (
        sa.select(sa.func.count())
        .where(StocktakeLine.stocktake_id == Stocktake.id)
        .correlate(Stocktake)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Stocktake, Warehouse, counted)
        .join(Warehouse, Warehouse.id == Stocktake.warehouse_id)
        .order_by(Stocktake.id.desc())
        .limit(limit)
    ).all()
    return [(stocktake, warehouse, count) for stocktake, warehouse, count in rows]


@dataclass(frozen=True)
class CountRow:
    line: StocktakeLine
    sku: str
    name: str
    unit: str
    on_hand_now: Decimal

    @property
    def difference(self) -> Decimal:
        return self.line.counted - self.line.book_at_count


def count_rows(stocktake: Stocktake) -> list[CountRow]:
    level = sa.orm.aliased(StockLevel)
    rows = db.session.execute(
        sa.select(StocktakeLine, Product.sku, Product.name, Product.unit, level.on_hand)
        .join(Product, Product.id == StocktakeLine.product_id)
        .outerjoin(
            level,
            sa.and_(
                level.product_id == StocktakeLine.product_id,
                level.warehouse_id == stocktake.warehouse_id,
            ),
        )
        .where(StocktakeLine.stocktake_id == stocktake.id)
        .order_by(StocktakeLine.counted_at.desc(), StocktakeLine.product_id)
    ).all()
    return [
        CountRow(line, sku, name, unit.value, on_hand if on_hand is not None else Decimal(0))
        for line, sku, name, unit, on_hand in rows
    ]
