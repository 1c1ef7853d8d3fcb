"""Stock reads: availability per product in a warehouse."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from portal.core.db import db
from portal.stock.models import StockLevel, Warehouse

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


def main_warehouse_id() -> int:
    warehouse_id = db.session.scalar(
        sa.select(Warehouse.id).order_by(Warehouse.is_main.desc(), Warehouse.id).limit(1)
    )
    if warehouse_id is None:
        raise LookupError("no warehouse is configured")
    return warehouse_id


def stock_in(
    warehouse_id: int, product_ids: Iterable[int], min_stock: dict[int, Decimal] | None = None
) -> dict[int, StockInfo]:
    ids = list(product_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(StockLevel.product_id, StockLevel.on_hand, StockLevel.reserved).where(
            StockLevel.warehouse_id == warehouse_id, StockLevel.product_id.in_(ids)
        )
    )
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
