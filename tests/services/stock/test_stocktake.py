"""Stocktakes: counts keep the book stock of their moment; posting books the differences."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.core.db import db
from portal.documents.models import DocumentKind
from portal.documents.services import lines_of, related
from portal.stock.ledger import StockError, check
from portal.stock.models import StockLevel, StocktakeState
from portal.stock.services import (
    OutLine,
    StocktakeClosed,
    cancel_stocktake,
    count_product,
    open_stocktake,
    post_stocktake,
    write_off,
)
from tests.builders import main_warehouse, make_category, make_product, stock_in

D = Decimal
TODAY = date.today()


def on_hand(product):
    db.session.expire_all()
    level = db.session.get(StockLevel, (product.id, main_warehouse().id))
    return level.on_hand if level else D(0)


def test_posting_books_surpluses_on_a_pw_and_shortages_on_an_rw():
    more, less, same = (
        make_product(sku="MORE"),
        make_product(sku="LESS", ean="5901234123457"),
        make_product(),
    )
    for product in (more, less, same):
        stock_in(product, 10)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    count_product(stocktake, code="more", counted=D(12), actor=None)
    count_product(stocktake, code="5901234123457", counted=D(7), actor=None)
    count_product(stocktake, code=same.sku, counted=D(10), actor=None)
    posted = post_stocktake(stocktake, actor=None, on=TODAY)
    assert posted.stock_in is not None and posted.write_off is not None
    assert posted.stock_in.kind is DocumentKind.PW and posted.write_off.kind is DocumentKind.RW
    assert [(line.sku, line.quantity) for line in lines_of(posted.stock_in)] == [("MORE", 2)]
    assert [(line.sku, line.quantity) for line in lines_of(posted.write_off)] == [("LESS", 3)]
    assert posted.write_off.reason == "stocktake"
    assert related(posted.stock_in)[1] == [posted.write_off]
    assert stocktake.state is StocktakeState.POSTED
    assert stocktake.stock_in_id == posted.stock_in.id
    assert (on_hand(more), on_hand(less), on_hand(same)) == (12, 7, 10)
    assert check() == []


def test_stock_moved_after_the_count_stays_accounted_for():
    product = make_product()
    stock_in(product, 10)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    count_product(stocktake, code=product.sku, counted=D(9), actor=None)  # one is missing
    write_off(  # meanwhile two are broken
        warehouse_id=main_warehouse().id,
        lines=[OutLine(product.id, D(2))],
        reason="damage",
        on=TODAY,
        actor=None,
    )
    stock_in(product, 5)  # and five arrive
    post_stocktake(stocktake, actor=None, on=TODAY)
    assert on_hand(product) == 10 - 1 - 2 + 5


def test_a_recount_replaces_the_count():
    product = make_product()
    stock_in(product, 4)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    count_product(stocktake, code=product.sku, counted=D(1), actor=None)
    line = count_product(stocktake, code=product.sku, counted=D(4), actor=None)
    assert line.counted == 4 and line.book_at_count == 4
    posted = post_stocktake(stocktake, actor=None, on=TODAY)
    assert posted.stock_in is None and posted.write_off is None


def test_counts_are_refused_for_unknown_codes_other_categories_and_negative_numbers():
    tools = make_category("Tools")
    drill = make_product(category_id=tools.id)
    paint = make_product(category_id=make_category("Paint").id)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, category_id=tools.id, actor=None)
    count_product(stocktake, code=drill.sku, counted=D(0), actor=None)
    for code, counted in (
        ("NOPE", D(1)),
        (paint.sku, D(1)),
        (drill.sku, D(-1)),
        (drill.sku, D("0.5")),
    ):
        with pytest.raises(StockError):
            count_product(stocktake, code=code, counted=counted, actor=None)


def test_a_posted_or_cancelled_stocktake_is_closed():
    product = make_product()
    stock_in(product, 1)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    count_product(stocktake, code=product.sku, counted=D(1), actor=None)
    post_stocktake(stocktake, actor=None, on=TODAY)
    with pytest.raises(StocktakeClosed):
        post_stocktake(stocktake, actor=None, on=TODAY)
    with pytest.raises(StocktakeClosed):
        count_product(stocktake, code=product.sku, counted=D(2), actor=None)
    other = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    cancel_stocktake(other, actor=None)
    assert other.state is StocktakeState.CANCELLED
    with pytest.raises(StocktakeClosed):
        cancel_stocktake(other, actor=None)


def test_posting_a_shortage_larger_than_the_stock_now_is_refused_and_changes_nothing():
    product = make_product()
    stock_in(product, 5)
    stocktake = open_stocktake(warehouse_id=main_warehouse().id, actor=None)
    count_product(stocktake, code=product.sku, counted=D(0), actor=None)
    write_off(
        warehouse_id=main_warehouse().id,
        lines=[OutLine(product.id, D(4))],
        reason="damage",
        on=TODAY,
        actor=None,
    )
    with pytest.raises(StockError):
        post_stocktake(stocktake, actor=None, on=TODAY)
    db.session.expire_all()
    assert stocktake.state is StocktakeState.OPEN and on_hand(product) == 1
