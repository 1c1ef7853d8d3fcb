"""Order lists: a partner keeps named lists and puts a whole list in the cart in one tap."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart.models import OrderList, OrderListLine
from portal.cart.services import create_list
from portal.core.db import db
from tests.builders import make_company, make_product, make_user
from tests.http.cart.test_cart import lines_of

D = Decimal


@pytest.fixture
def buyer():
    return make_user(role=Role.BUYER, company=make_company(name="Acme"))


def list_lines(order_list):
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(OrderListLine.product_id, OrderListLine.quantity)
        .where(OrderListLine.order_list_id == order_list.id)
        .order_by(OrderListLine.position, OrderListLine.id)
    )
    return [(row.product_id, row.quantity) for row in rows]


def list_line_id(order_list, product):
    return db.session.scalar(
        sa.select(OrderListLine.id).where(
            OrderListLine.order_list_id == order_list.id, OrderListLine.product_id == product.id
        )
    )


def test_colleagues_share_the_companys_lists_with_line_counts(login, buyer):
    colleague = make_user(role=Role.PARTNER_ADMIN, company=buyer.company)
    create_list(colleague, "Weekly restock", [(make_product().id, D(2)), (make_product().id, D(1))])
    create_list(make_user(), "Someone else's", [(make_product().id, D(1))])
    html = login(buyer).get("/lists").get_data(as_text=True)
    assert "Weekly restock" in html and "2 lines" in html
    assert "Someone else" not in html


def test_buyer_puts_a_whole_list_in_the_cart_and_hears_what_is_no_longer_sold(login, buyer):
    hinge = make_product(name="Hinge", stock=10)
    screw = make_product(name="Screw", pack_size=D("10"))
    retired = make_product(name="Retired")
    order_list = create_list(
        buyer, "Weekly", [(hinge.id, D(2)), (screw.id, D(10)), (retired.id, D(1))]
    )
    retired.active = False
    db.session.flush()
    client = login(buyer)
    client.post("/cart/add", data={"product_id": hinge.id, "quantity": "1"})
    response = client.post(f"/lists/{order_list.id}/cart")
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    html = client.get("/cart").get_data(as_text=True)
    assert "2 lines added to the cart." in html
    assert f"{retired.sku} Retired: Retired is no longer sold." in html
    assert lines_of(buyer) == [(hinge.id, D("3")), (screw.id, D("10"))]
    assert list_lines(order_list) == [(hinge.id, D(2)), (screw.id, D(10)), (retired.id, D(1))]


def test_buyer_creates_a_list_by_name_and_adds_products_by_sku(login, buyer):
    product = make_product(name="Dowel", sku="KOL-0008", pack_size=D("50"))
    client = login(buyer)
    response = client.post("/lists", data={"name": "Site B"})
    assert response.status_code == 303
    order_list = db.session.scalar(sa.select(OrderList).where(OrderList.name == "Site B"))
    assert response.headers["Location"] == f"/lists/{order_list.id}"
    assert "This list is empty" in client.get(f"/lists/{order_list.id}").get_data(as_text=True)

    response = client.post(
        f"/lists/{order_list.id}/lines", data={"code": "kol-0008", "quantity": "60"}
    )
    assert response.status_code == 303
    html = client.get(f"/lists/{order_list.id}").get_data(as_text=True)
    assert "Dowel" in html and "Sold in packs of 50: rounded up to 100." in html
    assert list_lines(order_list) == [(product.id, D("100"))]

    for data, message in (
        ({"code": "NOPE", "quantity": "1"}, "Unknown SKU or EAN “NOPE”."),
        ({"code": "", "quantity": "1"}, "Enter a SKU or EAN."),
        ({"code": "KOL-0008", "quantity": "-1"}, "Enter a quantity above zero."),
    ):
        response = client.post(f"/lists/{order_list.id}/lines", data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert list_lines(order_list) == [(product.id, D("100"))]


def test_an_empty_name_is_refused(login, buyer):
    response = login(buyer).post("/lists", data={"name": " "})
    assert response.status_code == 422 and "Give the list a name." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderList)) == 0


def test_buyer_edits_removes_renames_and_deletes(login, buyer):
    first, second = make_product(name="First"), make_product(name="Second")
    order_list = create_list(buyer, "Draft", [(first.id, D(2)), (second.id, D(3))])
    client = login(buyer)
    page = client.get(f"/lists/{order_list.id}").get_data(as_text=True)
    assert "Add all to cart" in page and 'value="2"' in page and 'value="3"' in page

    line = list_line_id(order_list, first)
    response = client.post(f"/lists/{order_list.id}/lines/{line}", data={"quantity": "7"})
    assert response.status_code == 303
    response = client.post(f"/lists/{order_list.id}/lines/{line}", data={"quantity": "zero"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a number." in html and 'value="zero"' in html
    assert list_lines(order_list) == [(first.id, D(7)), (second.id, D(3))]

    client.post(f"/lists/{order_list.id}/lines/{list_line_id(order_list, second)}/remove")
    assert list_lines(order_list) == [(first.id, D(7))]

    assert client.post(f"/lists/{order_list.id}", data={"name": "Monthly"}).status_code == 303
    assert "<h1>Monthly</h1>" in client.get(f"/lists/{order_list.id}").get_data(as_text=True)
    assert client.post(f"/lists/{order_list.id}", data={"name": ""}).status_code == 422

    response = client.post(f"/lists/{order_list.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == "/lists"
    assert "Order list “Monthly” deleted." in client.get("/lists").get_data(as_text=True)
    assert client.get(f"/lists/{order_list.id}").status_code == 404


def test_add_to_list_from_the_product_page(login, buyer):
    product = make_product(name="Hinge", min_order_quantity=D("4"))
    existing = create_list(buyer, "Weekly", [(product.id, D(4))])
    client = login(buyer)
    page = client.get(f"/products/{product.sku}").get_data(as_text=True)
    link = re.search(r'href="(/lists/add\?product_id=\d+)"', page).group(1)
    form = client.get(link).get_data(as_text=True)
    assert "Weekly" in form and 'value="4"' in form

    response = client.post(
        "/lists/add", data={"product_id": product.id, "quantity": "4", "list_id": existing.id}
    )
    assert response.status_code == 303
    assert list_lines(existing) == [(product.id, D(8))]

    response = client.post(
        "/lists/add", data={"product_id": product.id, "quantity": "1", "name": "Site C"}
    )
    new = db.session.scalar(sa.select(OrderList).where(OrderList.name == "Site C"))
    assert response.headers["Location"] == f"/lists/{new.id}"
    assert list_lines(new) == [(product.id, D(4))]  # the minimum order

    response = client.post("/lists/add", data={"product_id": product.id, "quantity": "1"})
    assert response.status_code == 422
    assert "Choose a list, or name a new one." in response.get_data(as_text=True)
    response = client.post(
        "/lists/add", data={"product_id": product.id, "quantity": "0", "name": "Never"}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(OrderList).where(OrderList.name == "Never")) is None


@pytest.mark.parametrize("query", ["", "?product_id=abc", "?product_id=0"])
def test_add_to_list_needs_a_product(login, buyer, query):
    assert login(buyer).get(f"/lists/add{query}").status_code == 400


def test_another_companys_list_is_not_found_at_every_address(login, buyer):
    stranger = make_user(role=Role.BUYER)
    product = make_product()
    theirs = create_list(stranger, "Theirs", [(product.id, D(5))])
    line = list_line_id(theirs, product)
    mine = create_list(buyer, "Mine", [(product.id, D(1))])
    my_line = list_line_id(mine, product)
    client = login(buyer)
    for method, url in (
        ("GET", f"/lists/{theirs.id}"),
        ("POST", f"/lists/{theirs.id}"),
        ("POST", f"/lists/{theirs.id}/delete"),
        ("POST", f"/lists/{theirs.id}/cart"),
        ("POST", f"/lists/{theirs.id}/lines"),
        ("POST", f"/lists/{theirs.id}/lines/{line}"),
        ("POST", f"/lists/{theirs.id}/lines/{line}/remove"),
        ("POST", f"/lists/{mine.id}/lines/{line}"),  # a foreign line under my list
        ("POST", f"/lists/{theirs.id}/lines/{my_line}"),  # my line under a foreign list
        ("GET", "/lists/99999999"),
        ("GET", f"/lists/{10**30}"),
    ):
        response = client.open(url, method=method, data={"name": "x", "quantity": "1", "code": "x"})
        assert response.status_code == 404, (method, url)
    response = client.post(
        "/lists/add", data={"product_id": product.id, "quantity": "1", "list_id": theirs.id}
    )
    assert response.status_code == 404
    assert list_lines(theirs) == [(product.id, D(5))]
    assert db.session.get(OrderList, theirs.id).name == "Theirs"
    assert lines_of(buyer) == []
