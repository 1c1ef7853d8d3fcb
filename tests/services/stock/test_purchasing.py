"""The low-stock list, its reorder suggestion, and purchase orders to suppliers (ZD)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentState
from portal.documents.services import LineDraft, issue, lines_of, related
from portal.orders.models import Step
from portal.orders.statuses import move_to_step
from portal.stock.ledger import StockError, batches_on_hand, take
from portal.stock.queries import low_stock, reorder_quantity
from portal.stock.services import (
    change_draft,
    discard_draft,
    draft_from_orders,
    draft_purchase_orders,
    issue_purchase_order,
)
from tests.builders import (
    main_warehouse,
    make_company,
    make_product,
    make_supplier,
    make_user,
    offer,
    stock_in,
)
from tests.services.orders.helpers import fill_cart, place

D = Decimal
TODAY = date.today()


@pytest.mark.parametrize(
    ("min_stock", "available", "sold", "pack", "expected"),
    [
        (D(10), D(4), D(0), D(1), D(16)),  # up to twice the minimum
        (D(10), D(4), D(30), D(1), D(30)),  # or what sold in four weeks, if more
        (D(10), D(4), D(0), D(6), D(18)),  # in whole packs, rounded up
        (D(10), D(-3), D(0), D(1), D(23)),  # oversold: reserved beyond on hand
        (D("2.5"), D(0), D(0), D("0.5"), D("5.0")),
    ],
)
def test_the_reorder_quantity(min_stock, available, sold, pack, expected):
    assert (
        reorder_quantity(min_stock=min_stock, available=available, sold=sold, pack_size=pack)
        == expected
    )


def ship(product, quantity, on):
    """A WZ-like take, as fulfilment will issue it."""
    document, rows = issue(
        DocumentKind.WZ,
        on=on,
        actor=None,
        warehouse_id=main_warehouse().id,
        lines=[LineDraft(product.sku, product.name, "pcs", D(quantity), product_id=product.id)],
    )
    batch = batches_on_hand(product.id, main_warehouse().id)[0].batch
    take(rows[0], warehouse_id=main_warehouse().id, batch=batch, quantity=D(quantity), on=on)
    return document


def test_low_stock_lists_products_below_minimum_with_sales_of_four_weeks():
    low = make_product(sku="LOW-1", min_stock=D(10))
    fine = make_product(sku="LOW-2", min_stock=D(10))
    no_minimum = make_product(sku="LOW-3")
    stock_in(low, 40, on=TODAY - timedelta(days=60))
    stock_in(fine, 20)
    ship(low, 5, TODAY - timedelta(days=40))  # too long ago to count
    ship(low, 30, TODAY - timedelta(days=3))
    rows = low_stock(main_warehouse().id, today=TODAY, text="LOW-")
    assert [row.level.sku for row in rows] == ["LOW-1"]
    assert rows[0].sold == 30 and rows[0].level.available == 5
    assert rows[0].suggested == 30  # more than 2 x 10 - 5
    assert no_minimum.id not in {row.level.product_id for row in rows}


def test_selected_low_stock_products_are_drafted_per_preferred_supplier():
    first, second = make_supplier(name="First"), make_supplier(name="Second")
    a, b, c, orphan = (make_product() for _ in range(4))
    offer(first, a, "2.00", position=0)
    offer(second, a, "1.50", position=1)  # cheaper, but not the preferred one
    offer(second, b, "3.00")
    offer(first, c, "1.00")
    drafted = draft_purchase_orders(
        [(a.id, D(10)), (b.id, D(4)), (c.id, D(1)), (orphan.id, D(2))],
        warehouse_id=main_warehouse().id,
        actor=None,
    )
    assert drafted.without_supplier == [orphan.sku]
    by_supplier = {document.supplier_id: document for document in drafted.documents}
    assert set(by_supplier) == {first.id, second.id}
    draft = by_supplier[first.id]
    assert draft.number is None and draft.state is DocumentState.DRAFT
    assert [(line.product_id, line.quantity) for line in lines_of(draft)] == [(a.id, 10), (c.id, 1)]
    assert draft.net_total == D("21.00")
    again = draft_purchase_orders([(a.id, D(5))], warehouse_id=main_warehouse().id, actor=None)
    assert again.documents == [draft]  # merged into the supplier's open draft
    assert lines_of(draft)[0].quantity == 15


def test_a_draft_is_edited_then_issued_with_a_number_and_then_frozen():
    supplier = make_supplier()
    a, b = make_product(), make_product()
    offer(supplier, a, "2.00")
    offer(supplier, b, "3.00")
    draft = draft_purchase_orders(
        [(a.id, D(10)), (b.id, D(4))], warehouse_id=main_warehouse().id, actor=None
    ).documents[0]
    first, second = lines_of(draft)
    change_draft(draft, {first.id: D(0), second.id: D(6)}, actor=None)
    assert [(line.product_id, line.quantity) for line in lines_of(draft)] == [(b.id, 6)]
    assert draft.net_total == D("18.00")
    issue_purchase_order(draft, actor=None, on=TODAY)
    assert draft.number.startswith("ZD/") and draft.state is DocumentState.ISSUED
    assert lines_of(draft)[0].position == 1
    with pytest.raises(StockError):
        change_draft(draft, {second.id: D(1)}, actor=None)
    with pytest.raises(StockError):
        discard_draft(draft, actor=None)


def test_confirmed_orders_that_stock_cannot_cover_become_one_draft_per_supplier():
    supplier = make_supplier()
    scarce, plenty = make_product(), make_product()
    offer(supplier, scarce, "1.00")
    offer(supplier, plenty, "1.00")
    stock_in(scarce, 2)
    stock_in(plenty, 100)
    buyer = make_user(company=make_company())
    orders = []
    for quantity in ("5", "4"):
        fill_cart(buyer, (scarce, quantity), (plenty, "1"))
        orders.append(place(buyer))
    waiting = place_waiting(buyer, scarce)
    for order in orders:
        move_to_step(order, Step.CONFIRM, actor=None)
    drafted = draft_from_orders(actor=None)
    assert len(drafted.documents) == 1
    draft = drafted.documents[0]
    assert [(line.product_id, line.quantity) for line in lines_of(draft)] == [(scarce.id, 7)]
    assert set(related(draft)[0]) == set(orders) and waiting not in related(draft)[0]
    assert draft_from_orders(actor=None).documents == []  # already on order


def place_waiting(buyer, product):
    fill_cart(buyer, (product, "3"))
    return place(buyer)


def test_a_discarded_draft_is_gone_from_the_drafts():
    supplier = make_supplier()
    product = make_product()
    offer(supplier, product)
    draft = draft_purchase_orders(
        [(product.id, D(1))], warehouse_id=main_warehouse().id, actor=None
    ).documents[0]
    discard_draft(draft, actor=None)
    drafts = db.session.scalars(
        sa.select(Document).where(
            Document.kind == DocumentKind.ZD, Document.state == DocumentState.DRAFT
        )
    ).all()
    assert draft not in drafts
