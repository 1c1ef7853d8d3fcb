"""Reservations: what placed and confirmed orders hold of the stock on hand.

Callers lock the stock rows first (`lock_stock`, in product order, so writers cannot
deadlock), then change reservations in one guarded statement (`change_reserved`): reserved
stays between 0 and on hand, or the transaction fails instead of overbooking.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm.util import identity_key

from portal.core.db import db, is_sqlite, table_of
from portal.stock.models import StockLevel
from portal.stock.queries import StockInfo

# Built once: every order runs them, and building a statement costs about as much Python as
# running it. Of the table, not the mapped class: a query of columns runs a quarter faster
# without the ORM's machinery. `ids` expands to the list given.
_STOCK = table_of(StockLevel)
_LEVELS = (
    sa.select(_STOCK.c.product_id, _STOCK.c.on_hand, _STOCK.c.reserved)
    .where(
        _STOCK.c.warehouse_id == sa.bindparam("warehouse"),
        _STOCK.c.product_id.in_(sa.bindparam("ids", expanding=True)),
    )
    .order_by(_STOCK.c.product_id)
)
_LOCKED_LEVELS = _LEVELS.with_for_update()
_reserved_after = _STOCK.c.reserved + sa.bindparam("change", type_=_STOCK.c.reserved.type)
# The WHERE keeps 0 <= reserved <= on hand (see change_reserved).
_CHANGE_RESERVED = (
    sa.update(_STOCK)
    .where(
        _STOCK.c.warehouse_id == sa.bindparam("warehouse"),
        _STOCK.c.product_id == sa.bindparam("product"),
        _reserved_after >= 0,
        _reserved_after <= _STOCK.c.on_hand,
    )
    .values(reserved=_reserved_after)
)
# On PostgreSQL the changes travel as two arrays and the UPDATE joins them (unnest): one
# statement whatever the number of rows, where an executemany is a statement per row.
_changes = (
    sa.func.unnest(
        sa.bindparam("products", type_=postgresql.ARRAY(sa.Integer())),
        sa.bindparam("changes", type_=postgresql.ARRAY(_STOCK.c.reserved.type)),
    )
    .table_valued("product", "change")
    .render_derived()
)
_new_reserved = _STOCK.c.reserved + _changes.c.change
_CHANGE_RESERVED_AT_ONCE = (
    sa.update(_STOCK)
    .where(
        _STOCK.c.warehouse_id == sa.bindparam("warehouse"),
        _STOCK.c.product_id == _changes.c.product,
        _new_reserved >= 0,
        _new_reserved <= _STOCK.c.on_hand,
    )
    .values(reserved=_new_reserved)
)


def lock_stock(warehouse_id: int, product_ids: Iterable[int]) -> dict[int, StockInfo]:
    """Reads the stock rows and locks them in (warehouse, product) order, so concurrent
    orders cannot deadlock; on SQLite the writer already holds the database lock."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    query = _LEVELS if is_sqlite() else _LOCKED_LEVELS
    db.session.flush()  # a statement of the table does not flush changed objects itself
    rows = db.session.execute(query, {"warehouse": warehouse_id, "ids": ids})
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
    if is_sqlite():
        result = db.session.execute(_CHANGE_RESERVED, rows)
    else:
        result = db.session.execute(
            _CHANGE_RESERVED_AT_ONCE,
            {
                "warehouse": warehouse_id,
                "products": [row["product"] for row in rows],
                "changes": [row["change"] for row in rows],
            },
        )
    if result.rowcount != len(rows):  # type: ignore[attr-defined]
        raise RuntimeError("a reservation change would leave stock out of bounds")
    # Rows this session has loaded as objects read their new reservation on next use.
    for row in rows:
        key = identity_key(StockLevel, (row["product"], warehouse_id))
        level = db.session.identity_map.get(key)
        if level is not None:
            db.session.expire(level, ["reserved"])
