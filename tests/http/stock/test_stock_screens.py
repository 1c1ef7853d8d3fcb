"""Staff at the stock screens: levels, a product's batches and moves, stock documents,
stocktakes, the low-stock list and purchase orders. Partners and reps are kept out."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLine, DocumentState
from portal.stock.ledger import check
from portal.stock.models import StockLevel, Stocktake, Warehouse
from tests.builders import (
    main_warehouse,
    make_company,
    make_product,
    make_supplier,
    make_user,
    offer,
    stock_in,
)

D = Decimal
TODAY = date.today()


@pytest.fixture
def staff(login):
    return login(make_user(role=Role.STAFF, email="staff@example.com"))


def on_hand(product, warehouse=None):
    db.session.expire_all()
    level = db.session.get(StockLevel, (product.id, (warehouse or main_warehouse()).id))
    return level.on_hand if level else D(0)


def latest(kind):
    return db.session.scalars(
        sa.select(Document).where(Document.kind == kind).order_by(Document.id.desc()).limit(1)
    ).first()


def test_staff_see_stock_levels_search_and_filter_low_stock(staff):
    hinge = make_product(sku="HNG-100", name="Brass hinge", min_stock=D(10))
    screw = make_product(sku="SCR-200", name="Wood screw")
    stock_in(hinge, 4)
    stock_in(screw, 50)
    db.session.commit()
    html = staff.get("/office/stock").get_data(as_text=True)
    assert "HNG-100" in html and "SCR-200" in html
    searched = staff.get("/office/stock?q=hinge").get_data(as_text=True)
    assert "HNG-100" in searched and "SCR-200" not in searched
    assert "SCR-200" in staff.get("/office/stock?q=scr-2").get_data(as_text=True)
    low = staff.get("/office/stock?low=1").get_data(as_text=True)
    assert "HNG-100" in low and "SCR-200" not in low
    for odd in ("warehouse=abc", "after=%27", "q=%25%25", "warehouse=99999999999"):
        assert staff.get(f"/office/stock?{odd}").status_code == 200


def test_the_levels_page_loads_more_by_sku_with_a_fixed_number_of_queries(staff, count_queries):
    for n in range(55):
        make_product(sku=f"PAGE-{n:03d}")
    db.session.commit()
    staff.get("/office/stock?q=PAGE-")
    count_queries.statements.clear()
    html = staff.get("/office/stock?q=PAGE-").get_data(as_text=True)
    first = count_queries.count
    assert "PAGE-049" in html and "PAGE-050" not in html and "Load more" in html
    more = staff.get("/office/stock?q=PAGE-&after=PAGE-049", headers={"HX-Request": "true"})
    text = more.get_data(as_text=True)
    assert "PAGE-050" in text and "PAGE-049" not in text and "<html" not in text
    for n in range(55, 120):
        make_product(sku=f"PAGE-{n:03d}")
    db.session.commit()
    count_queries.statements.clear()
    staff.get("/office/stock?q=PAGE-")
    assert count_queries.count == first


def test_a_product_shows_its_batches_with_expiry_and_recent_moves(staff):
    product = make_product(sku="MILK-1")
    document = stock_in(product, 6, lot="LOT-7", expires_on=TODAY + timedelta(days=20))
    db.session.commit()
    html = staff.get(f"/office/stock/products/{product.id}").get_data(as_text=True)
    assert "LOT-7" in html and document.number in html
    assert staff.get("/office/stock/products/99999999").status_code == 404


def test_staff_enter_a_goods_receipt_with_several_lines(staff):
    supplier = make_supplier(name="Hurt Śruby")
    bolt, nut = make_product(sku="BOLT-1"), make_product(sku="NUT-1", ean="5900000000017")
    db.session.commit()
    page = staff.get("/office/stock/receipts/new").get_data(as_text=True)
    assert page.count('name="code"') == 5 and "Hurt Śruby" in page
    response = staff.post(
        "/office/stock/receipts/new",
        data={
            "warehouse": main_warehouse().id,
            "supplier": supplier.id,
            "on": TODAY.isoformat(),
            "reference": "FV 1/2026",
            "code": ["bolt-1", "5900000000017", ""],
            "quantity": ["10", "200", ""],
            "cost": ["1,20", "0.05", ""],
            "lot": ["A1", "", ""],
            "expires": [(TODAY + timedelta(days=300)).isoformat(), "", ""],
        },
    )
    assert response.status_code == 303
    receipt = latest(DocumentKind.PZ)
    assert receipt.supplier_id == supplier.id and receipt.reference == "FV 1/2026"
    assert on_hand(bolt) == 10 and on_hand(nut) == 200
    assert receipt.number in staff.get(response.location).get_data(as_text=True)


def test_a_receipt_with_mistakes_comes_back_with_the_errors_by_the_lines(staff):
    make_product(sku="OK-1")
    db.session.commit()
    response = staff.post(
        "/office/stock/receipts/new",
        data={
            "warehouse": main_warehouse().id,
            "on": (TODAY + timedelta(days=3)).isoformat(),
            "code": ["OK-1", "NOPE"],
            "quantity": ["1.5", "1"],
            "cost": ["1", "1"],
            "lot": ["", ""],
            "expires": ["", ""],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Choose a supplier." in html and "cannot be in the future" in html
    assert "whole units only" in html and "NOPE" in html and 'value="OK-1"' in html
    assert latest(DocumentKind.PZ) is None


def test_staff_add_a_stock_in_and_the_add_line_row(staff):
    product = make_product(sku="PW-1")
    db.session.commit()
    row = staff.get("/office/stock/lines/new?kind=PW", headers={"HX-Request": "true"})
    assert 'name="code"' in row.get_data(as_text=True) and "<html" not in row.get_data(as_text=True)
    assert staff.get("/office/stock/lines/new?kind=XX").status_code == 404
    response = staff.post(
        "/office/stock/stock-ins/new",
        data={
            "warehouse": main_warehouse().id,
            "on": TODAY.isoformat(),
            "code": "PW-1",
            "quantity": "7",
            "cost": "",
            "lot": "",
            "expires": "",
        },
    )
    assert response.status_code == 303 and on_hand(product) == 7


def test_staff_write_off_goods_and_a_refusal_changes_nothing(staff):
    product = make_product(sku="RW-1")
    stock_in(product, 5, lot="L1")
    db.session.commit()
    base = {"warehouse": main_warehouse().id, "on": TODAY.isoformat(), "reason": "damage"}
    refused = staff.post(
        "/office/stock/write-offs/new", data={**base, "code": "RW-1", "quantity": "6", "lot": ""}
    )
    assert refused.status_code == 422
    assert "Nothing was saved." in refused.get_data(as_text=True) and on_hand(product) == 5
    wrong_lot = staff.post(
        "/office/stock/write-offs/new", data={**base, "code": "RW-1", "quantity": "1", "lot": "ZZ"}
    )
    assert wrong_lot.status_code == 422 and "no lot ZZ" in wrong_lot.get_data(as_text=True)
    ok = staff.post(
        "/office/stock/write-offs/new", data={**base, "code": "RW-1", "quantity": "2", "lot": "L1"}
    )
    assert ok.status_code == 303 and on_hand(product) == 3
    assert latest(DocumentKind.RW).reason == "damage"


def test_staff_transfer_goods_between_warehouses(staff):
    other = Warehouse(code="WAW", name="Warszawa")
    db.session.add(other)
    product = make_product(sku="MM-1")
    stock_in(product, 5)
    db.session.commit()
    data = {
        "warehouse": main_warehouse().id,
        "target": other.id,
        "on": TODAY.isoformat(),
        "code": "MM-1",
        "quantity": "3",
        "lot": "",
    }
    assert staff.post("/office/stock/transfers/new", data=data).status_code == 303
    assert on_hand(product) == 2 and on_hand(product, other) == 3
    same = staff.post("/office/stock/transfers/new", data={**data, "target": main_warehouse().id})
    assert same.status_code == 422 and on_hand(product) == 2
    assert check() == []


def test_staff_count_stock_on_a_phone_and_post_the_stocktake(staff):
    product = make_product(sku="ST-1", ean="5901111111114")
    stock_in(product, 10)
    db.session.commit()
    opened = staff.post(
        "/office/stock/stocktakes", data={"warehouse": main_warehouse().id, "category": ""}
    )
    assert opened.status_code == 303
    url = opened.location
    stocktake_id = int(re.search(r"/stocktakes/(\d+)", url).group(1))
    assert (
        staff.post(f"{url}/counts", data={"code": "5901111111114", "counted": "8"}).status_code
        == 303
    )
    html = staff.get(url).get_data(as_text=True)
    assert "ST-1" in html and "Book vs counted" in html
    assert "−2" in html or "-2" in html
    bad = staff.post(f"{url}/counts", data={"code": "NOPE", "counted": "1"})
    assert bad.status_code == 422 and "NOPE" in bad.get_data(as_text=True)
    assert staff.post(f"{url}/counts", data={"code": "ST-1", "counted": "x"}).status_code == 422
    assert staff.post(f"{url}/post").status_code == 303
    assert on_hand(product) == 8
    db.session.expire_all()
    stocktake = db.session.get(Stocktake, stocktake_id)
    assert stocktake.write_off_id is not None
    assert "Stocktake" in staff.get("/office/stock/stocktakes").get_data(as_text=True)
    assert staff.post(f"{url}/post").status_code == 422
    assert staff.post(f"{url}/cancel").status_code == 303  # says it is closed


def test_staff_draft_a_purchase_order_from_the_low_stock_list_edit_and_issue_it(staff):
    supplier = make_supplier(name="Dostawca A")
    product = make_product(sku="LOWP-1", min_stock=D(10), pack_size=D(5))
    offer(supplier, product, "2.00")
    stock_in(product, 3)
    db.session.commit()
    html = staff.get("/office/stock/low").get_data(as_text=True)
    assert (
        "LOWP-1" in html and "Dostawca A" in html and 'value="20"' in html
    )  # 2 x 10 - 3 → 4 packs
    response = staff.post(
        "/office/stock/low",
        data={
            "warehouse": main_warehouse().id,
            "product": str(product.id),
            f"qty_{product.id}": "20",
        },
    )
    assert response.status_code == 303
    draft = db.session.scalars(
        sa.select(Document).where(
            Document.kind == DocumentKind.ZD, Document.state == DocumentState.DRAFT
        )
    ).one()
    listing = staff.get("/office/stock/purchase-orders").get_data(as_text=True)
    assert "Dostawca A" in listing
    line_id = db.session.scalar(
        sa.select(DocumentLine.id).where(DocumentLine.document_id == draft.id)
    )
    detail = staff.get(f"/office/stock/purchase-orders/{draft.id}").get_data(as_text=True)
    assert f"qty_{line_id}" in detail
    assert (
        staff.post(
            f"/office/stock/purchase-orders/{draft.id}", data={f"qty_{line_id}": "abc"}
        ).status_code
        == 422
    )
    issued = staff.post(
        f"/office/stock/purchase-orders/{draft.id}", data={f"qty_{line_id}": "25", "issue": "1"}
    )
    assert issued.status_code == 303
    db.session.expire_all()
    draft = db.session.get(Document, draft.id)
    assert draft.number.startswith("ZD/") and draft.net_total == D("50.00")
    assert draft.number in staff.get("/office/stock/purchase-orders").get_data(as_text=True)
    assert (
        staff.post("/office/stock/low", data={"warehouse": main_warehouse().id}).status_code == 303
    )
    assert staff.get("/office/stock/purchase-orders/99999999").status_code == 404


def test_staff_draft_purchase_orders_from_confirmed_orders_and_discard_one(staff):
    assert staff.post("/office/stock/purchase-orders/from-orders").status_code == 303
    supplier = make_supplier()
    product = make_product()
    offer(supplier, product)
    from portal.stock.services import draft_purchase_orders

    draft = draft_purchase_orders(
        [(product.id, D(2))], warehouse_id=main_warehouse().id, actor=None
    ).documents[0]
    db.session.commit()
    assert staff.post(f"/office/stock/purchase-orders/{draft.id}/discard").status_code == 303
    db.session.expire_all()
    assert db.session.get(Document, draft.id).state is DocumentState.CANCELLED


STAFF_PAGES = (
    "/office/stock",
    "/office/stock/low",
    "/office/stock/receipts/new",
    "/office/stock/stock-ins/new",
    "/office/stock/write-offs/new",
    "/office/stock/transfers/new",
    "/office/stock/stocktakes",
    "/office/stock/purchase-orders",
)


@pytest.mark.parametrize("role", [Role.BUYER, Role.PARTNER_ADMIN, Role.SALES_REP])
def test_partners_and_reps_may_not_open_the_stock_screens(login, role):
    company = make_company() if role.is_partner else None
    client = login(make_user(role=role, company=company))
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post("/office/stock/receipts/new", data={}).status_code == 403


def test_the_stock_screens_need_a_login(client):
    response = client.get("/office/stock")
    assert response.status_code in (302, 303, 401)


def test_every_stock_page_renders_for_staff(staff):
    for url in STAFF_PAGES:
        assert staff.get(url).status_code == 200, url
