"""Warehouses and stock levels per product and warehouse."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base
from portal.core.money import Quantity


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
