"""The stock ledger: every change of stock is a move tied to a document line.

`receive` brings a batch in, `take` sends part of a batch out; both write the move and
update the two balances (per batch and warehouse, per product and warehouse) in the
caller's transaction, with guarded UPDATEs so that concurrent writers can never drive a
balance below zero. Callers lock in a fixed order: stock rows by (product, warehouse).
`check` proves the balances equal the sums of their moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.util import identity_key

from portal.core.db import db, is_sqlite
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import ZERO
from portal.documents.models import DocumentLine
from portal.stock.models import Batch, BatchStock, StockLevel, StockMove

DEFAULT_LOT = "-"
"""The lot of goods received without one (opening balances, stock-ins without a batch)."""


class StockError(DomainError):
    """A stock document would break the ledger: below zero, or dated before its receipt."""


class NotEnoughStock(StockError):
    pass


class DatedBeforeReceipt(StockError):
    pass


def _upsert():  # type: ignore[no-untyped-def]
    return sqlite_insert if is_sqlite() else pg_insert


def _forget(model: type[BatchStock] | type[StockLevel], key: tuple[int, int]) -> None:
    """The balances change by SQL statements, not through the session: a copy the session
    holds would show the old numbers (and a later ORM update would compute from them)."""
    loaded = db.session.identity_map.get(identity_key(model, key))
    if loaded is not None:
        db.session.expire(loaded)


def received_in(batch: Batch, warehouse_id: int) -> date:
    """When the batch first came into this warehouse (by receipt or transfer); its receipt
    date when nothing has come in yet."""
    first = db.session.scalar(
        sa.select(sa.func.min(StockMove.moved_on)).where(
            StockMove.batch_id == batch.id,
            StockMove.warehouse_id == warehouse_id,
            StockMove.quantity > 0,
        )
    )
    return first or batch.received_on


def batch_for(
    product_id: int, lot: str, *, expires_on: date | None, received_on: date, unit_cost: Decimal
) -> Batch:
    """The product's batch with this lot, made by the first receipt that brings it in."""
    lot = lot.strip() or DEFAULT_LOT
    db.session.execute(
        _upsert()(Batch)
        .values(
            product_id=product_id,
            lot=lot,
            expires_on=expires_on,
            received_on=received_on,
            unit_cost=unit_cost,
        )
        .on_conflict_do_nothing(index_elements=["product_id", "lot"])
    )
    batch = db.session.scalars(
        sa.select(Batch).where(Batch.product_id == product_id, Batch.lot == lot)
    ).one()
    if received_on < batch.received_on:
        batch.received_on = received_on
    return batch


def receive(
    line: DocumentLine,
    *,
    warehouse_id: int,
    batch: Batch,
    quantity: Decimal,
    unit_cost: Decimal,
    on: date,
) -> StockMove:
    """Stock in (PZ, PW, ZW, the receiving half of an MM)."""
    if quantity <= 0:
        raise StockError(_("A quantity received must be positive."))
    assert line.id is not None and line.product_id is not None
    db.session.execute(
        _upsert()(BatchStock)
        .values(
            batch_id=batch.id,
            warehouse_id=warehouse_id,
            product_id=line.product_id,
            on_hand=quantity,
        )
        .on_conflict_do_update(
            index_elements=["batch_id", "warehouse_id"],
            set_={"on_hand": BatchStock.on_hand + quantity},
        )
    )
    db.session.execute(
        _upsert()(StockLevel)
        .values(
            product_id=line.product_id, warehouse_id=warehouse_id, on_hand=quantity, reserved=ZERO
        )
        .on_conflict_do_update(
            index_elements=["product_id", "warehouse_id"],
            set_={"on_hand": StockLevel.on_hand + quantity},
        )
    )
    _forget(BatchStock, (batch.id, warehouse_id))
    _forget(StockLevel, (line.product_id, warehouse_id))
    return _move(line, warehouse_id, batch.id, quantity, unit_cost, on)


def take(
    line: DocumentLine,
    *,
    warehouse_id: int,
    batch: Batch,
    quantity: Decimal,
    on: date,
    release_reserved: Decimal = ZERO,
    unit_cost: Decimal | None = None,
) -> StockMove:
    """Stock out (WZ, RW, the issuing half of an MM): never below zero, never before the
    batch came into this warehouse. `release_reserved` lowers the product's reservation as
    well (a WZ ships what its order reserved). `unit_cost` is the batch's cost unless given
    (goods sent back to the supplier leave at zero value)."""
    if quantity <= 0:
        raise StockError(_("A quantity issued must be positive."))
    assert line.id is not None and line.product_id is not None
    arrived = received_in(batch, warehouse_id)
    if on < arrived:
        raise DatedBeforeReceipt(
            _(
                "%(sku)s: batch %(lot)s was received on %(received)s; a document dated "
                "%(on)s cannot issue it.",
                sku=line.sku,
                lot=batch.lot,
                received=arrived.isoformat(),
                on=on.isoformat(),
            )
        )
    batch_row = db.session.execute(
        sa.update(BatchStock)
        .where(
            BatchStock.batch_id == batch.id,
            BatchStock.warehouse_id == warehouse_id,
            BatchStock.on_hand >= quantity,
        )
        .values(on_hand=BatchStock.on_hand - quantity)
        .execution_options(synchronize_session=False)
    )
    _forget(BatchStock, (batch.id, warehouse_id))
    if batch_row.rowcount != 1:  # type: ignore[attr-defined]
        raise NotEnoughStock(
            _(
                "%(sku)s: not enough in batch %(lot)s to issue %(quantity)s.",
                sku=line.sku,
                lot=batch.lot,
                quantity=_plain(quantity),
            )
        )
    # reserved <= on_hand must still hold after the move: what leaves unreserved may only
    # come out of the unreserved part.
    level_row = db.session.execute(
        sa.update(StockLevel)
        .where(
            StockLevel.product_id == line.product_id,
            StockLevel.warehouse_id == warehouse_id,
            StockLevel.reserved >= release_reserved,
            StockLevel.on_hand - quantity >= StockLevel.reserved - release_reserved,
        )
        .values(
            on_hand=StockLevel.on_hand - quantity, reserved=StockLevel.reserved - release_reserved
        )
        .execution_options(synchronize_session=False)
    )
    _forget(StockLevel, (line.product_id, warehouse_id))
    if level_row.rowcount != 1:  # type: ignore[attr-defined]
        raise NotEnoughStock(
            _(
                "%(sku)s: %(quantity)s cannot be issued; part of the stock is reserved for "
                "customer orders.",
                sku=line.sku,
                quantity=_plain(quantity),
            )
        )
    cost = batch.unit_cost if unit_cost is None else unit_cost
    return _move(line, warehouse_id, batch.id, -quantity, cost, on)


def _move(
    line: DocumentLine,
    warehouse_id: int,
    batch_id: int,
    quantity: Decimal,
    unit_cost: Decimal,
    on: date,
) -> StockMove:
    assert line.product_id is not None
    move = StockMove(
        document_line_id=line.id,
        product_id=line.product_id,
        warehouse_id=warehouse_id,
        batch_id=batch_id,
        quantity=quantity,
        unit_cost=unit_cost,
        moved_on=on,
    )
    db.session.add(move)
    return move


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class BatchOnHand:
    batch: Batch
    on_hand: Decimal


def batches_on_hand(product_id: int, warehouse_id: int) -> list[BatchOnHand]:
    """The product's batches in stock, in the order fulfilment draws them: earliest expiry
    first (batches without one last), then the oldest receipt."""
    rows = db.session.execute(
        sa.select(Batch, BatchStock.on_hand)
        .join(BatchStock, BatchStock.batch_id == Batch.id)
        .where(
            BatchStock.product_id == product_id,
            BatchStock.warehouse_id == warehouse_id,
            BatchStock.on_hand > 0,
        )
        .order_by(Batch.expires_on.is_(None), Batch.expires_on, Batch.received_on, Batch.id)
    ).all()
    return [BatchOnHand(batch, on_hand) for batch, on_hand in rows]


def suggest_batches(
    product_id: int, warehouse_id: int, quantity: Decimal
) -> list[tuple[Batch, Decimal]]:
    """Which batches to draw `quantity` from (first expiry, first out); may fall short."""
    plan: list[tuple[Batch, Decimal]] = []
    left = quantity
    for row in batches_on_hand(product_id, warehouse_id):
        if left <= 0:
            break
        part = min(left, row.on_hand)
        plan.append((row.batch, part))
        left -= part
    return plan


@dataclass(frozen=True)
class Drift:
    """A balance that does not equal the sum of its moves."""

    what: str
    product_id: int
    warehouse_id: int
    batch_id: int | None
    balance: Decimal
    moves: Decimal


def check() -> list[Drift]:
    """Every balance against the sum of its moves, both ways (a balance without moves, moves
    without a balance). Empty when the ledger is consistent."""
    drifts: list[Drift] = []
    sums = (
        sa.select(
            StockMove.batch_id,
            StockMove.warehouse_id,
            sa.func.min(StockMove.product_id).label("product_id"),
            sa.func.sum(StockMove.quantity).label("total"),
        )
        .group_by(StockMove.batch_id, StockMove.warehouse_id)
        .subquery()
    )
    batch_rows = db.session.execute(
        sa.select(
            BatchStock.product_id,
            BatchStock.warehouse_id,
            BatchStock.batch_id,
            BatchStock.on_hand,
            sums.c.total,
        )
        .outerjoin(
            sums,
            sa.and_(
                sums.c.batch_id == BatchStock.batch_id,
                sums.c.warehouse_id == BatchStock.warehouse_id,
            ),
        )
        .where(BatchStock.on_hand != sa.func.coalesce(sums.c.total, 0))
    ).all()
    orphan_batches = db.session.execute(
        sa.select(sums.c.product_id, sums.c.warehouse_id, sums.c.batch_id, sums.c.total)
        .outerjoin(
            BatchStock,
            sa.and_(
                sums.c.batch_id == BatchStock.batch_id,
                sums.c.warehouse_id == BatchStock.warehouse_id,
            ),
        )
        .where(BatchStock.batch_id.is_(None), sums.c.total != 0)
    ).all()
    drifts += [
        Drift("batch", p, w, b, on_hand, total or ZERO) for p, w, b, on_hand, total in batch_rows
    ]
    drifts += [Drift("batch", p, w, b, ZERO, total) for p, w, b, total in orphan_batches]

    product_sums = (
        sa.select(
            StockMove.product_id,
            StockMove.warehouse_id,
            sa.func.sum(StockMove.quantity).label("total"),
        )
        .group_by(StockMove.product_id, StockMove.warehouse_id)
        .subquery()
    )
    level_rows = db.session.execute(
        sa.select(
            StockLevel.product_id, StockLevel.warehouse_id, StockLevel.on_hand, product_sums.c.total
        )
        .outerjoin(
            product_sums,
            sa.and_(
                product_sums.c.product_id == StockLevel.product_id,
                product_sums.c.warehouse_id == StockLevel.warehouse_id,
            ),
        )
        .where(StockLevel.on_hand != sa.func.coalesce(product_sums.c.total, 0))
    ).all()
    orphan_levels = db.session.execute(
        sa.select(product_sums.c.product_id, product_sums.c.warehouse_id, product_sums.c.total)
        .outerjoin(
            StockLevel,
            sa.and_(
                product_sums.c.product_id == StockLevel.product_id,
                product_sums.c.warehouse_id == StockLevel.warehouse_id,
            ),
        )
        .where(StockLevel.product_id.is_(None), product_sums.c.total != 0)
    ).all()
    drifts += [
        Drift("product", p, w, None, on_hand, total or ZERO) for p, w, on_hand, total in level_rows
    ]
    drifts += [Drift("product", p, w, None, ZERO, total) for p, w, total in orphan_levels]
    return drifts


def lines_with_moves(lines: Sequence[DocumentLine]) -> set[int]:
    """Which of these lines have stock moves (a stock document is whole or not at all)."""
    ids = [line.id for line in lines]
    if not ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(StockMove.document_line_id).where(StockMove.document_line_id.in_(ids))
        )
    )
