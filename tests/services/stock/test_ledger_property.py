"""The ledger's promise under any sequence of documents: every balance equals the sum of its
moves, nothing is ever below zero, and a refused document changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.documents.models import DocumentKind
from portal.documents.services import LineDraft, issue
from portal.stock.ledger import check, suggest_batches, take
from portal.stock.models import BatchStock, StockLevel, StockMove, Warehouse
from portal.stock.services import InLine, OutLine, receive_goods, stock_in, transfer, write_off
from tests.builders import main_warehouse, make_product, make_supplier

START = date.today() - timedelta(days=30)


@dataclass(frozen=True)
class Op:
    kind: str
    product: int
    quantity: int
    warehouse: int
    day: int
    lot: int


ops = st.lists(
    st.builds(
        Op,
        kind=st.sampled_from(["PZ", "PW", "RW", "MM", "WZ"]),
        product=st.integers(0, 2),
        quantity=st.integers(1, 12),
        warehouse=st.integers(0, 1),
        day=st.integers(0, 30),
        lot=st.integers(0, 2),
    ),
    min_size=1,
    max_size=12,
)


def ship(product_id: int, warehouse_id: int, quantity: Decimal, on: date) -> None:
    """A WZ as fulfilment issues it: FEFO batches, one line and one take per batch."""
    with atomic():
        plan = suggest_batches(product_id, warehouse_id, quantity)
        if sum((part for _, part in plan), Decimal(0)) < quantity:
            raise DomainError("short")
        _, rows = issue(
            DocumentKind.WZ,
            on=on,
            actor=None,
            warehouse_id=warehouse_id,
            lines=[
                LineDraft("X", "X", "pcs", part, product_id=product_id, batch_id=batch.id)
                for batch, part in plan
            ],
        )
        for row, (batch, part) in zip(rows, plan, strict=True):
            take(row, warehouse_id=warehouse_id, batch=batch, quantity=part, on=on)


def apply(op: Op, products: list[int], warehouses: list[int], supplier_id: int) -> None:
    product = products[op.product]
    warehouse = warehouses[op.warehouse]
    quantity = Decimal(op.quantity)
    on = START + timedelta(days=op.day)
    if op.kind == "PZ":
        receive_goods(
            supplier_id=supplier_id,
            warehouse_id=warehouse,
            lines=[InLine(product, quantity, Decimal("2.50"), f"L{op.lot}", None)],
            on=on,
            actor=None,
        )
    elif op.kind == "PW":
        stock_in(warehouse_id=warehouse, lines=[InLine(product, quantity)], on=on, actor=None)
    elif op.kind == "RW":
        write_off(
            warehouse_id=warehouse,
            lines=[OutLine(product, quantity)],
            reason="damage",
            on=on,
            actor=None,
        )
    elif op.kind == "MM":
        transfer(
            from_warehouse_id=warehouse,
            to_warehouse_id=warehouses[1 - op.warehouse],
            lines=[OutLine(product, quantity)],
            on=on,
            actor=None,
        )
    else:
        ship(product, warehouse, quantity, on)


def snapshot(products: list[int]) -> tuple[object, ...]:
    db.session.expire_all()
    levels = db.session.execute(
        sa.select(StockLevel.product_id, StockLevel.warehouse_id, StockLevel.on_hand)
        .where(StockLevel.product_id.in_(products))
        .order_by(StockLevel.product_id, StockLevel.warehouse_id)
    ).all()
    moves = db.session.scalar(
        sa.select(sa.func.count()).select_from(StockMove).where(StockMove.product_id.in_(products))
    )
    return tuple(levels), moves


@given(sequence=ops)
def test_balances_always_equal_the_sum_of_moves_and_never_go_negative(app, sequence):
    warehouses = [main_warehouse().id]
    other = db.session.scalar(sa.select(Warehouse.id).where(Warehouse.code == "PROP"))
    if other is None:
        extra = Warehouse(code="PROP", name="Property")
        db.session.add(extra)
        db.session.flush()
        other = extra.id
    warehouses.append(other)
    products = [make_product().id for _ in range(3)]
    supplier_id = make_supplier().id
    for op in sequence:
        before = snapshot(products)
        try:
            apply(op, products, warehouses, supplier_id)
        except DomainError:
            assert snapshot(products) == before, op  # refused: nothing changed
        assert check() == [], op
        negative = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(BatchStock)
            .where(BatchStock.product_id.in_(products), BatchStock.on_hand < 0)
        )
        assert negative == 0
