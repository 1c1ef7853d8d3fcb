"""Stock documents through the ledger: receipts, stock-ins, write-offs and transfers, and the
refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLine
from portal.documents.services import lines_of
from portal.stock.ledger import DatedBeforeReceipt, NotEnoughStock, StockError, check
from portal.stock.models import Batch, BatchStock, StockLevel, StockMove, SupplierProduct, Warehouse
from portal.stock.services import InLine, OutLine, receive_goods, stock_in, transfer, write_off
from tests.builders import main_warehouse, make_product, make_supplier, offer, set_stock
from tests.builders import stock_in as build_stock_in

D = Decimal
TODAY = date.today()


def level(product, warehouse=None):
    db.session.expire_all()
    found = db.session.get(StockLevel, (product.id, (warehouse or main_warehouse()).id))
    return found.on_hand if found else D(0)


def in_batch(product, lot, warehouse=None):
    db.session.expire_all()
    batch = db.session.scalars(
        sa.select(Batch).where(Batch.product_id == product.id, Batch.lot == lot)
    ).one()
    row = db.session.get(BatchStock, (batch.id, (warehouse or main_warehouse()).id))
    return row.on_hand if row else D(0)


def counts():
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Document)),
        db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)),
    )


@pytest.fixture
def second_warehouse():
    warehouse = Warehouse(code="WAW", name="Warszawa")
    db.session.add(warehouse)
    db.session.flush()
    return warehouse


def test_a_goods_receipt_brings_batches_in_at_cost_and_remembers_the_price():
    supplier = make_supplier()
    bolt, nut = make_product(sku="BOLT"), make_product(sku="NUT")
    receipt = receive_goods(
        supplier_id=supplier.id,
        warehouse_id=main_warehouse().id,
        lines=[
            InLine(bolt.id, D(10), D("1.20"), "L-1", TODAY + timedelta(days=90)),
            InLine(bolt.id, D(5), D("1.30"), "L-2"),
            InLine(nut.id, D(100), D("0.05")),
        ],
        on=TODAY,
        actor=None,
        reference="FV/123",
    )
    assert receipt.number.startswith("PZ/") and receipt.supplier_id == supplier.id
    assert receipt.net_total == D("23.50") and receipt.gross_total == D("28.91")  # 23 % VAT
    assert level(bolt) == 15 and level(nut) == 100
    assert in_batch(bolt, "L-1") == 10 and in_batch(nut, "-") == 100
    assert db.session.get(SupplierProduct, (supplier.id, bolt.id)).purchase_price == D("1.30")
    assert [line.batch_id is not None for line in lines_of(receipt)] == [True] * 3
    assert check() == []


def test_a_goods_receipt_needs_a_supplier_and_costs():
    product = make_product()
    with pytest.raises(StockError):
        receive_goods(
            supplier_id=999999,
            warehouse_id=main_warehouse().id,
            lines=[InLine(product.id, D(1), D(1))],
            on=TODAY,
            actor=None,
        )
    with pytest.raises(StockError):
        receive_goods(
            supplier_id=make_supplier().id,
            warehouse_id=main_warehouse().id,
            lines=[InLine(product.id, D(1), None)],
            on=TODAY,
            actor=None,
        )


def test_a_stock_in_without_lot_or_cost_takes_the_default_lot_and_the_suppliers_price():
    product = make_product()
    offer(make_supplier(), product, price="3.10")
    document = stock_in(
        warehouse_id=main_warehouse().id, lines=[InLine(product.id, D(4))], on=TODAY, actor=None
    )
    line = lines_of(document)[0]
    assert line.unit_cost == D("3.10") and document.net_total == D("12.40")
    assert in_batch(product, "-") == 4


def test_pieces_are_whole_and_quantities_positive():
    product = make_product()
    for quantity in (D("1.5"), D(0), D(-2)):
        with pytest.raises(StockError):
            stock_in(
                warehouse_id=main_warehouse().id,
                lines=[InLine(product.id, quantity)],
                on=TODAY,
                actor=None,
            )
    assert level(product) == 0


def test_a_write_off_draws_the_first_to_expire_at_batch_cost():
    product = make_product()
    build_stock_in(product, 5, lot="LATE", expires_on=TODAY + timedelta(days=60), cost="2.00")
    build_stock_in(product, 5, lot="SOON", expires_on=TODAY + timedelta(days=10), cost="3.00")
    build_stock_in(product, 5, lot="NONE", cost="1.00")
    document = write_off(
        warehouse_id=main_warehouse().id,
        lines=[OutLine(product.id, D(7))],
        reason="damage",
        on=TODAY,
        actor=None,
    )
    lines = lines_of(document)
    assert [(line.quantity, line.unit_cost) for line in lines] == [(5, D("3.00")), (2, D("2.00"))]
    assert document.reason == "damage" and document.net_total == D("19.00")
    assert level(product) == 8 and in_batch(product, "SOON") == 0 and in_batch(product, "LATE") == 3
    assert check() == []


def test_staff_may_choose_the_batch_and_returns_to_the_supplier_leave_at_zero_value():
    product = make_product()
    build_stock_in(product, 5, lot="A", expires_on=TODAY + timedelta(days=5))
    build_stock_in(product, 5, lot="B")
    b = db.session.scalars(
        sa.select(Batch).where(Batch.lot == "B", Batch.product_id == product.id)
    ).one()
    document = write_off(
        warehouse_id=main_warehouse().id,
        lines=[OutLine(product.id, D(2), b.id)],
        reason="returned_to_supplier",
        on=TODAY,
        actor=None,
    )
    assert document.net_total == 0 and in_batch(product, "B") == 3 and in_batch(product, "A") == 5
    move = db.session.scalars(
        sa.select(StockMove).join(DocumentLine).where(DocumentLine.document_id == document.id)
    ).one()
    assert move.quantity == -2 and move.unit_cost == 0


def test_a_write_off_needs_a_write_off_reason():
    product = make_product()
    build_stock_in(product, 5)
    for reason in ("", "no_longer_needed", "made_up"):
        with pytest.raises(StockError):
            write_off(
                warehouse_id=main_warehouse().id,
                lines=[OutLine(product.id, D(1))],
                reason=reason,
                on=TODAY,
                actor=None,
            )
    assert level(product) == 5


def test_stock_never_goes_below_zero_and_a_refused_document_changes_nothing():
    product, other = make_product(), make_product()
    build_stock_in(product, 3)
    build_stock_in(other, 10)
    before = counts()
    with pytest.raises(NotEnoughStock) as refused:
        write_off(
            warehouse_id=main_warehouse().id,
            lines=[OutLine(other.id, D(2)), OutLine(product.id, D(4))],
            reason="damage",
            on=TODAY,
            actor=None,
        )
    assert product.sku in refused.value.message and "3" in refused.value.message
    assert counts() == before and level(product) == 3 and level(other) == 10


def test_reserved_stock_cannot_be_written_off():
    product = make_product()
    build_stock_in(product, 5)
    db.session.execute(
        sa.update(StockLevel).where(StockLevel.product_id == product.id).values(reserved=D(4))
    )
    with pytest.raises(NotEnoughStock):
        write_off(
            warehouse_id=main_warehouse().id,
            lines=[OutLine(product.id, D(2))],
            reason="damage",
            on=TODAY,
            actor=None,
        )
    assert level(product) == 5


def test_nothing_leaves_before_it_was_received():
    product = make_product()
    build_stock_in(product, 5, on=TODAY)
    before = counts()
    with pytest.raises(DatedBeforeReceipt) as refused:
        write_off(
            warehouse_id=main_warehouse().id,
            lines=[OutLine(product.id, D(1))],
            reason="damage",
            on=TODAY - timedelta(days=1),
            actor=None,
        )
    assert TODAY.isoformat() in refused.value.message
    assert counts() == before and level(product) == 5


def test_a_transfer_moves_the_same_batches_in_one_document(second_warehouse):
    product = make_product()
    build_stock_in(product, 4, lot="A", expires_on=TODAY + timedelta(days=3), cost="2.00")
    build_stock_in(product, 6, lot="B", cost="1.00")
    document = transfer(
        from_warehouse_id=main_warehouse().id,
        to_warehouse_id=second_warehouse.id,
        lines=[OutLine(product.id, D(7))],
        on=TODAY,
        actor=None,
    )
    assert document.kind is DocumentKind.MM and document.target_warehouse_id == second_warehouse.id
    assert level(product) == 3 and level(product, second_warehouse) == 7
    assert in_batch(product, "A", second_warehouse) == 4
    assert in_batch(product, "B", second_warehouse) == 3
    moves = db.session.scalars(
        sa.select(StockMove.quantity)
        .join(DocumentLine)
        .where(DocumentLine.document_id == document.id)
    ).all()
    assert sorted(moves) == [-4, -3, 3, 4]
    assert check() == []


def test_goods_moved_in_cannot_leave_the_new_warehouse_before_they_arrived(second_warehouse):
    product = make_product()
    build_stock_in(product, 5, on=TODAY - timedelta(days=10))
    transfer(
        from_warehouse_id=main_warehouse().id,
        to_warehouse_id=second_warehouse.id,
        lines=[OutLine(product.id, D(5))],
        on=TODAY - timedelta(days=2),
        actor=None,
    )
    with pytest.raises(DatedBeforeReceipt):
        write_off(
            warehouse_id=second_warehouse.id,
            lines=[OutLine(product.id, D(1))],
            reason="damage",
            on=TODAY - timedelta(days=5),
            actor=None,
        )


def test_a_transfer_goes_somewhere_else():
    product = make_product()
    build_stock_in(product, 5)
    with pytest.raises(StockError):
        transfer(
            from_warehouse_id=main_warehouse().id,
            to_warehouse_id=main_warehouse().id,
            lines=[OutLine(product.id, D(1))],
            on=TODAY,
            actor=None,
        )


def test_check_finds_a_balance_set_by_hand():
    product = make_product()
    build_stock_in(product, 5)
    assert check() == []
    set_stock(product, on_hand=D(7))
    drifts = check()
    assert [(d.what, d.product_id, d.balance, d.moves) for d in drifts] == [
        ("product", product.id, D(7), D(5))
    ]
