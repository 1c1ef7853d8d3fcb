"""Bulk Core inserts with ids assigned by the demo, and the PostgreSQL sequences behind them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Address, Company, User
from portal.catalog.models import Category, PriceList, PriceListTier, Product, ProductPhoto
from portal.core.db import Base, db
from portal.documents.models import Document, DocumentLine
from portal.stock.models import Batch, StockMove, Supplier, Warehouse

Row = dict[str, Any]

CHUNK = 5_000
"""Products per committed batch, and rows per INSERT statement."""


def table(model: type[Base]) -> sa.Table:
    return Base.metadata.tables[model.__tablename__]


def next_id(model: type[Base]) -> int:
    return (db.session.scalar(sa.select(sa.func.max(table(model).c.id))) or 0) + 1


def insert(model: type[Base], rows: Sequence[Row]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table(model)), list(rows[start : start + CHUNK]))


SERIAL_ID_MODELS: tuple[type[Base], ...] = (
    Warehouse,
    Category,
    PriceList,
    Product,
    ProductPhoto,
    PriceListTier,
    Company,
    Address,
    User,
    Supplier,
    Batch,
    Document,
    DocumentLine,
    StockMove,
)
"""Tables whose id is a PostgreSQL serial; the rest have composite keys."""


def sync_sequences() -> None:
    """PostgreSQL: move each serial sequence past the ids given explicitly."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in SERIAL_ID_MODELS:
        serial_table = table(model)
        db.session.execute(
            sa.select(
                sa.func.setval(
                    sa.func.pg_get_serial_sequence(serial_table.name, "id"),
                    sa.select(sa.func.max(serial_table.c.id)).scalar_subquery(),
                )
            )
        )
