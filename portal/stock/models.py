"""Warehouses, the stock ledger (moves, batches, balances), stocktakes and suppliers.

Every stock change is a `StockMove` tied to a document line. Two balances are kept in the
same transaction as the moves: `BatchStock` per batch and warehouse, and `StockLevel` per
product and warehouse (with the reservations). Both always equal the sum of their moves;
`flask stock check` verifies it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Timestamped, utcnow
from portal.core.money import Money, Quantity
from portal.core.types import enum_column


class Warehouse(Base):
    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    is_main: Mapped[bool] = mapped_column(default=False)


class StockLevel(Base):
    """On hand and reserved; available = on hand - reserved, never below zero."""

    __tablename__ = "stock_levels"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        sa.ForeignKey("warehouses.id"), primary_key=True, index=True
    )
    on_hand: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    reserved: Mapped[Quantity] = mapped_column(default=Decimal("0"))

    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        sa.CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


class Batch(Base):
    """A lot of one product, made by the receipt (PZ, PW) that first brought it in."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    lot: Mapped[str] = mapped_column(sa.String(40))
    expires_on: Mapped[date | None] = mapped_column()
    received_on: Mapped[date] = mapped_column()
    """The date of the first receipt: nothing of the batch can leave before it."""
    unit_cost: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    """Purchase cost per unit, for write-offs at cost and stock value."""

    __table_args__ = (sa.UniqueConstraint("product_id", "lot"),)


class BatchStock(Base):
    """On hand per batch and warehouse; the sum over batches is `StockLevel.on_hand`."""

    __tablename__ = "batch_stock"

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    on_hand: Mapped[Quantity] = mapped_column(default=Decimal("0"))

    batch: Mapped[Batch] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        sa.Index("ix_batch_stock_product_warehouse", "product_id", "warehouse_id"),
    )


class StockMove(Base):
    """One signed change of stock: in (PZ, PW, ZW, MM in) > 0, out (WZ, RW, MM out) < 0."""

    __tablename__ = "stock_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_line_id: Mapped[int] = mapped_column(sa.ForeignKey("document_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    quantity: Mapped[Quantity] = mapped_column()
    unit_cost: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    moved_on: Mapped[date] = mapped_column()
    """The document's date."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        sa.Index("ix_stock_moves_product_warehouse_on", "product_id", "warehouse_id", "moved_on"),
    )


class StocktakeState(enum.StrEnum):
    OPEN = "open"
    POSTED = "posted"
    CANCELLED = "cancelled"


class Stocktake(Timestamped, Base):
    """A count of a warehouse (or one category of it); posting books the differences."""

    __tablename__ = "stocktakes"

    id: Mapped[int] = mapped_column(primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(sa.ForeignKey("warehouses.id"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    state: Mapped[StocktakeState] = mapped_column(
        enum_column(StocktakeState, 10), default=StocktakeState.OPEN
    )
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    posted_at: Mapped[datetime | None] = mapped_column()
    stock_in_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    """The PW that posting made for the surpluses."""
    write_off_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    """The RW that posting made for the shortages."""


class StocktakeLine(Base):
    __tablename__ = "stocktake_lines"

    stocktake_id: Mapped[int] = mapped_column(sa.ForeignKey("stocktakes.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    counted: Mapped[Quantity] = mapped_column()
    book_at_count: Mapped[Quantity] = mapped_column()
    """On hand when this line was counted: moves before and after the count stay accounted."""
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class Supplier(Timestamped, Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    tax_id: Mapped[str | None] = mapped_column(sa.String(20))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    lead_days: Mapped[int] = mapped_column(default=7)


class SupplierProduct(Base):
    """Who sells us a product, at what price; the lowest `position` is the preferred one."""

    __tablename__ = "supplier_products"

    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("suppliers.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id"), primary_key=True, index=True
    )
    supplier_sku: Mapped[str] = mapped_column(sa.String(64), default="")
    purchase_price: Mapped[Money] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)

    supplier: Mapped[Supplier] = relationship(lazy="raise_on_sql")
