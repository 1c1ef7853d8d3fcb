"""Reservations: what placed and confirmed orders hold of the stock on hand.

Callers lock the stock rows first (`lock_stock`, in product order, so writers cannot
deadlock), then change reservations in one guarded statement (`change_reserved`): reserved
stays between 0 and on hand, or the transaction fails instead of overbooking.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from portal.core.db import db
from portal.stock.models import StockLevel
from portal.stock.queries import StockInfo


def lock_stock(warehouse_id: int, product_ids: Iterable[int]) -> dict[int, StockInfo]:
    """Reads the stock rows and locks them in (warehouse, product) order, so concurrent
    orders cannot deadlock; on SQLite the writer already holds the database lock."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    query = (
        sa.select(StockLevel.product_id, StockLevel.on_hand, StockLevel.reserved)
        .where(StockLevel.warehouse_id == warehouse_id, StockLevel.product_id.in_(ids))
        .order_by(StockLevel.product_id)
    )
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update()
    rows = db.session.execute(query)
    return {row.product_id: StockInfo(row.on_hand, row.reserved) for row in rows}


def change_reserved(warehouse_id: int, changes: dict[int, Decimal]) -> None:
    """Adds to (or, negative, takes from) the reservations of rows lock_stock locked, in
    one statement for all of them. Its WHERE keeps 0 <= reserved <= on hand: a row it
    refuses fails the whole transaction instead of overbooking."""
    rows = [
        {"warehouse": warehouse_id, "product": product_id, "change": change}
        for product_id, change in sorted(changes.items())
        if change
    ]
    if not rows:
        return
    table = cast(sa.Table, StockLevel.__table__)
    reserved = table.c.reserved + sa.bindparam("change", type_=table.c.reserved.type)
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.warehouse_id == sa.bindparam("warehouse"),
            table.c.product_id == sa.bindparam("product"),
            reserved >= 0,
            reserved <= table.c.on_hand,
        )
        .values(reserved=reserved),
        rows,
    )
    if result.rowcount != len(rows):  # type: ignore[attr-defined]
        raise RuntimeError("a reservation change would leave stock out of bounds")
    # Rows this session has loaded as objects read their new reservation on next use.
    for row in rows:
        key = identity_key(StockLevel, (row["product"], warehouse_id))
        level = db.session.identity_map.get(key)
        if level is not None:
            db.session.expire(level, ["reserved"])
