"""A buyer fills the cart from the catalog, changes it, parks lines for later and back."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart.models import Cart, CartLine
from portal.core.acting import ACTING_KEY
from portal.core.db import db
from tests.builders import (
    add_photo,
    add_tier,
    make_company,
    make_price_list,
    make_product,
    make_user,
)

D = Decimal
HTMX = {"HX-Request": "true"}


@pytest.fixture
def buyer():
    company = make_company(name="Acme", default_discount=D("10.00"))
    return make_user(role=Role.BUYER, company=company)


def lines_of(user, *, saved=False):
    """(product id, quantity) of the user's cart, as the database has them."""
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(CartLine.product_id, CartLine.quantity)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.user_id == user.id, CartLine.saved.is_(saved))
        .order_by(CartLine.id)
    )
    return [(row.product_id, row.quantity) for row in rows]


def line_id(user, product, *, saved=False):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(CartLine.id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(
            Cart.user_id == user.id,
            CartLine.product_id == product.id,
            CartLine.saved.is_(saved),
        )
    )


def add(client, product, quantity, **headers):
    return client.post(
        "/cart/add",
        data={"product_id": product.id, "quantity": quantity, "next": "/catalog?q=hinge"},
        headers=headers,
    )


def test_buyer_adds_from_the_catalog_and_sees_prices_totals_and_checkout(login, buyer):
    hinge = make_product(name="Hinge", list_price=D("10.00"), stock=100)
    book = make_product(name="Manual", list_price=D("20.00"), stock=5, vat_rate_id=vat("5"))
    add_photo(hinge)
    client = login(buyer)
    catalog = client.get("/catalog").get_data(as_text=True)
    assert "Add to cart" in catalog and 'name="quantity" value="1"' in catalog

    response = add(client, hinge, "3")
    assert response.status_code == 303
    assert response.headers["Location"] == "/catalog?q=hinge"  # back where the buyer was
    add(client, book, "2")
    html = client.get("/cart").get_data(as_text=True)
    assert "Added 3 pcs of Hinge to your cart." in html  # flashed after the redirect
    assert "Hinge" in html and "Manual" in html and hinge.sku in html
    assert "PLN\xa09.00" in html  # the partner's unit net: 10 % off
    assert "PLN\xa027.00" in html  # line net
    assert "PLN\xa036.00" in html  # 2 x 18.00
    assert "23\xa0%" in html and "5\xa0%" in html  # a totals row per VAT rate
    assert "PLN\xa06.21" in html and "PLN\xa01.80" in html  # VAT per rate
    assert "PLN\xa071.01" in html  # grand total gross: 27 + 6.21 + 36 + 1.80
    assert 'href="/checkout"' in html and ">Checkout<" in html
    assert "Cart, 2 items" in html
    assert lines_of(buyer) == [(hinge.id, D("3")), (book.id, D("2"))]


def vat(code):
    from tests.builders import vat_rate

    return vat_rate(code).id


def test_adding_a_product_again_adds_to_its_line(login, buyer):
    product = make_product(stock=50)
    client = login(buyer)
    add(client, product, "2")
    add(client, product, "5")
    assert lines_of(buyer) == [(product.id, D("7"))]


def test_pack_rounding_is_explained_without_javascript(login, buyer):
    product = make_product(name="Screws", pack_size=D("10"), min_order_quantity=D("20"))
    client = login(buyer)
    html = client.get(f"/products/{product.sku}").get_data(as_text=True)
    assert 'name="quantity" value="20"' in html  # the form starts at the minimum order
    add(client, product, "25")
    html = client.get("/cart").get_data(as_text=True)
    assert "Added 30 pcs of Screws to your cart." in html
    assert "Sold in packs of 10: rounded up to 30." in html
    assert lines_of(buyer) == [(product.id, D("30"))]


def test_htmx_add_answers_a_small_fragment_and_announces_cart_changed(login, buyer):
    product = make_product(name="Screws", pack_size=D("10"), min_order_quantity=D("20"))
    client = login(buyer)
    add(client, make_product(), "1")
    response = add(client, product, "5", **HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "cart-changed"
    assert "<html" not in html
    assert "Added 20 pcs" in html and "2 items in your cart" in html
    assert "The minimum order is 20 pcs." in html
    assert "_flashes" not in html and "Sold in packs" not in client.get("/cart").get_data(
        as_text=True
    )  # nothing left over to flash on the next page


def test_the_header_count_reloads_itself_on_cart_changed(login, buyer):
    client = login(buyer)
    html = client.get("/catalog").get_data(as_text=True)
    assert "Cart, 0 items" in html
    assert 'hx-trigger="cart-changed from:body"' in html and 'hx-get="/cart/count"' in html
    add(client, make_product(), "1", **HTMX)
    fragment = client.get("/cart/count", headers=HTMX).get_data(as_text=True)
    assert fragment.strip().startswith('<a id="cart-link"') and "Cart, 1 item<" in fragment
    assert "Cart, 1 item<" in client.get("/account").get_data(as_text=True)  # every page


def test_the_ordering_menu_offers_cart_quick_order_and_lists(login, buyer):
    html = login(buyer).get("/catalog").get_data(as_text=True)
    for url, label in (("/cart", "Cart"), ("/quick-order", "Quick order"), ("/lists", "Lists")):
        assert f'href="{url}"' in html and f">{label}</a>" in html


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Enter a quantity above zero."),
        ("-3", "Enter a quantity above zero."),
        ("2.5", "pcs are sold whole: enter a whole number."),
        ("2,5", "pcs are sold whole: enter a whole number."),
        ("1000000", "That is more than we can take in one order line."),
        ("9" * 40, "Enter a number."),
        ("1e999999", "That is more than we can take in one order line."),
        ("abc", "Enter a number."),
        ("", "Enter a number."),
        ("NaN", "Enter a number."),
        ("0.0001", "Use at most 3 decimal places."),
    ],
)
def test_bad_quantities_are_refused_and_nothing_changes(login, buyer, quantity, message):
    product = make_product(name="Hinge")
    client = login(buyer)
    add(client, product, "4")
    response = add(client, product, quantity)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert f'value="{quantity}"' in html  # what was typed comes back to be fixed
    fragment = add(client, product, quantity, **HTMX)
    assert fragment.status_code == 422 and message in fragment.get_data(as_text=True)
    assert "HX-Trigger" not in fragment.headers
    assert lines_of(buyer) == [(product.id, D("4"))]


def test_kilograms_take_decimals_with_a_comma_or_a_dot(login, buyer):
    from portal.catalog.models import Unit

    cable = make_product(name="Cable", unit=Unit.METRE, pack_size=D("0.05"))
    client = login(buyer)
    add(client, cable, "2,5")
    add(client, cable, "0.25")
    assert lines_of(buyer) == [(cable.id, D("2.75"))]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"quantity": "1"}, 400),
        ({"product_id": "abc", "quantity": "1"}, 400),
        ({"product_id": "-4", "quantity": "1"}, 400),
        ({"product_id": "999999", "quantity": "1"}, 404),
        ({"product_id": "9" * 30, "quantity": "1"}, 400),
    ],
)
def test_a_missing_or_unknown_product_is_refused(login, buyer, data, status):
    response = login(buyer).post("/cart/add", data=data)
    assert response.status_code == status
    assert lines_of(buyer) == []


def test_a_tampered_price_is_ignored(login, buyer):
    product = make_product(list_price=D("50.00"))
    client = login(buyer)
    client.post(
        "/cart/add",
        data={"product_id": product.id, "quantity": "1", "price": "0.01", "unit_net": "0.01"},
    )
    html = client.get("/cart").get_data(as_text=True)
    assert "PLN\xa045.00" in html and "0.01" not in html


def test_a_product_no_longer_sold_is_refused_with_its_name(login, buyer):
    product = make_product(name="Retired widget", active=False)
    response = add(login(buyer), product, "1")
    assert response.status_code == 422
    assert "Retired widget is no longer sold." in response.get_data(as_text=True)
    assert lines_of(buyer) == []


def test_a_line_that_asks_for_more_than_stock_warns_of_a_backorder(login, buyer):
    product = make_product(name="Pump", stock=3)
    client = login(buyer)
    add(client, product, "5")
    html = client.get("/cart").get_data(as_text=True)
    assert "Only 3 available: the rest will be a backorder" in html
    add(client, make_product(name="Nothing left", stock=0), "1")
    assert "Not in stock now: the whole line will be a backorder" in client.get("/cart").get_data(
        as_text=True
    )


def test_buyer_changes_a_quantity_by_typing_and_with_the_stepper(login, buyer):
    product = make_product(name="Hinge", pack_size=D("5"), min_order_quantity=D("10"))
    client = login(buyer)
    add(client, product, "10")
    line = line_id(buyer, product)
    response = client.post(f"/cart/lines/{line}", data={"quantity": "20"})
    assert response.status_code == 303 and response.headers["Location"] == "/cart"
    assert lines_of(buyer) == [(product.id, D("20"))]
    client.post(f"/cart/lines/{line}", data={"quantity": "20", "change": "up"})
    assert lines_of(buyer) == [(product.id, D("25"))]
    client.post(f"/cart/lines/{line}", data={"quantity": "25", "change": "down"})
    assert lines_of(buyer) == [(product.id, D("20"))]
    client.post(f"/cart/lines/{line}", data={"quantity": "12"})
    assert lines_of(buyer) == [(product.id, D("15"))]
    assert "Sold in packs of 5: rounded up to 15." in client.get("/cart").get_data(as_text=True)


def test_the_stepper_cannot_go_below_the_minimum_order(login, buyer):
    product = make_product(pack_size=D("5"), min_order_quantity=D("10"))
    client = login(buyer)
    add(client, product, "10")
    html = client.get("/cart").get_data(as_text=True)
    assert re.search(r'value="down"\s+aria-label="Decrease quantity of [^"]+" disabled', html)
    client.post(f"/cart/lines/{line_id(buyer, product)}", data={"change": "down"})
    assert lines_of(buyer) == [(product.id, D("10"))]


def test_htmx_quantity_change_answers_the_cart_fragment(login, buyer):
    product = make_product(name="Hinge", list_price=D("10.00"))
    client = login(buyer)
    add(client, product, "1")
    response = client.post(
        f"/cart/lines/{line_id(buyer, product)}",
        data={"quantity": "1", "change": "up"},
        headers=HTMX,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="cart"') and "<html" not in html
    assert response.headers["HX-Trigger"] == "cart-changed"
    assert "The quantity of Hinge is updated." in html and "PLN\xa018.00" in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "lots", "100001"])
def test_a_bad_quantity_change_shows_the_error_by_its_line_and_keeps_the_cart(
    login, buyer, quantity
):
    product = make_product(name="Hinge")
    other = make_product(name="Dowel")
    client = login(buyer)
    add(client, product, "4")
    add(client, other, "2")
    line = line_id(buyer, product)
    for headers in ({}, HTMX):
        response = client.post(f"/cart/lines/{line}", data={"quantity": quantity}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert (
            f'id="qty-{line}" class="cart-qty" type="text" name="quantity" value="{quantity}"'
            in (html)
        )
        assert f'aria-describedby="qty-{line}-error"' in html
        assert f'id="qty-{line}-error" role="alert"' in html
        assert ("<html" in html) is not bool(headers)
    assert lines_of(buyer) == [(product.id, D("4")), (other.id, D("2"))]


def test_buyer_removes_a_line(login, buyer):
    kept, gone = make_product(name="Kept"), make_product(name="Gone")
    client = login(buyer)
    add(client, kept, "1")
    add(client, gone, "1")
    response = client.post(f"/cart/lines/{line_id(buyer, gone)}/remove", headers=HTMX)
    assert response.status_code == 200 and "Gone is removed." in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "cart-changed"
    assert lines_of(buyer) == [(kept.id, D("1"))]


def test_buyer_saves_a_line_for_later_and_moves_it_back(login, buyer):
    product = make_product(name="Hinge")
    client = login(buyer)
    add(client, product, "4")
    line = line_id(buyer, product)
    response = client.post(f"/cart/lines/{line}/save")
    assert response.status_code == 303
    assert lines_of(buyer) == [] and lines_of(buyer, saved=True) == [(product.id, D("4"))]
    html = client.get("/cart").get_data(as_text=True)
    assert "Saved for later" in html and "Move to cart" in html and "Your cart is empty." in html
    assert "Cart, 0 items" in html  # saved items are not in the cart's count
    client.post(f"/cart/lines/{line}/save")  # a second tap changes nothing
    assert lines_of(buyer, saved=True) == [(product.id, D("4"))]

    response = client.post(f"/cart/lines/{line}/move", headers=HTMX)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "cart-changed"
    assert "Hinge is back in your cart." in response.get_data(as_text=True)
    client.post(f"/cart/lines/{line}/move")
    assert lines_of(buyer) == [(product.id, D("4"))] and lines_of(buyer, saved=True) == []


def test_saving_a_product_already_saved_merges_the_two(login, buyer):
    product = make_product()
    client = login(buyer)
    add(client, product, "4")
    client.post(f"/cart/lines/{line_id(buyer, product)}/save")
    add(client, product, "3")
    client.post(f"/cart/lines/{line_id(buyer, product)}/save")
    assert lines_of(buyer) == [] and lines_of(buyer, saved=True) == [(product.id, D("7"))]


def test_the_saved_list_follows_the_user_to_another_device(login, buyer):
    product = make_product(name="Parked hinge")
    first = login(buyer)
    add(first, product, "2")
    first.post(f"/cart/lines/{line_id(buyer, product)}/save")
    first.post("/logout")
    html = login(buyer).get("/cart").get_data(as_text=True)
    assert "Parked hinge" in html and "Move to cart" in html


@pytest.mark.parametrize("action", ["", "/remove", "/save", "/move"])
def test_another_users_or_an_expired_line_is_not_found(login, buyer, action):
    colleague = make_user(role=Role.BUYER, company=buyer.company)
    product = make_product()
    add(login(colleague), product, "3")
    theirs = line_id(colleague, product)
    client = login(buyer)
    for headers in ({}, HTMX):
        for line in (theirs, 10**9, 10**30):
            response = client.post(
                f"/cart/lines/{line}{action}", data={"quantity": "1"}, headers=headers
            )
            assert response.status_code == 404
    add(client, product, "1")
    mine = line_id(buyer, product)
    client.post(f"/cart/lines/{mine}/remove")
    assert client.post(f"/cart/lines/{mine}{action}", data={"quantity": "1"}).status_code == 404
    assert lines_of(colleague) == [(product.id, D("3"))]


def test_staff_without_a_partner_have_no_cart(login):
    staff = make_user(role=Role.STAFF)
    client = login(staff)
    assert client.get("/cart").status_code == 404
    assert add(client, make_product(), "1").status_code == 404
    html = client.get("/catalog").get_data(as_text=True)
    assert "Add to cart" not in html and 'id="cart-link"' not in html


def test_a_rep_acting_for_a_partner_works_on_that_partners_cart(login, buyer):
    rep = make_user(role=Role.SALES_REP)
    buyer.company.sales_rep_id = rep.id
    db.session.flush()
    product = make_product(name="Phone order hinge", list_price=D("10.00"))
    client = login(rep)
    assert client.get("/cart").status_code == 404
    with client.session_transaction() as session:
        session[ACTING_KEY] = buyer.id
    from flask import g

    g.pop("acting_as", None)  # the test shares one app context across requests
    add(client, product, "2")
    html = client.get("/cart").get_data(as_text=True)
    assert "Phone order hinge" in html and "PLN\xa09.00" in html  # the partner's price
    assert "Cart, 1 item<" in html
    assert lines_of(buyer) == [(product.id, D("2"))] and lines_of(rep) == []


def test_buyer_saves_the_cart_as_an_order_list(login, buyer):
    from portal.cart.models import OrderList

    first, second = make_product(), make_product()
    client = login(buyer)
    add(client, first, "2")
    add(client, second, "3")
    response = client.post("/cart/list", data={"name": "Weekly restock"})
    assert response.status_code == 303
    order_list = db.session.scalar(sa.select(OrderList).where(OrderList.name == "Weekly restock"))
    assert response.headers["Location"] == f"/lists/{order_list.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert first.name in html and second.name in html
    assert lines_of(buyer) == [(first.id, D("2")), (second.id, D("3"))]  # the cart stays

    response = client.post("/cart/list", data={"name": "  "})
    assert response.status_code == 422 and "Give the list a name." in response.get_data(
        as_text=True
    )


def test_an_empty_cart_cannot_become_a_list(login, buyer):
    response = login(buyer).post("/cart/list", data={"name": "Nothing"})
    assert response.status_code == 422
    assert "There is nothing to put on the list." in response.get_data(as_text=True)


def test_a_saved_line_shows_its_own_tier_price(login):
    price_list = make_price_list()
    buyer = make_user(company=make_company(price_list_id=price_list.id))
    product = make_product(name="Bolt", list_price=D("1.00"))
    add_tier(price_list, product, "1", "0.90")
    add_tier(price_list, product, "100", "0.50")
    client = login(buyer)
    add(client, product, "100")
    client.post(f"/cart/lines/{line_id(buyer, product)}/save")
    add(client, product, "1")
    html = client.get("/cart").get_data(as_text=True)
    assert "PLN\xa00.90" in html  # the cart line: 1 piece
    assert "100 pcs × PLN\xa00.50" in html  # the saved line: its own 100 pieces


def test_the_cart_page_costs_the_same_queries_with_5_or_50_lines(login, buyer, count_queries):
    client = login(buyer)
    products = [make_product(stock=10) for _ in range(50)]
    for product in products[:5]:
        add(client, product, "1")
    add_photo(products[0])
    client.post(f"/cart/lines/{line_id(buyer, products[0])}/save")
    client.get("/cart")
    count_queries.statements.clear()
    assert client.get("/cart").status_code == 200
    few = count_queries.count
    for product in products[5:]:
        add(client, product, "1")
    client.get("/cart")
    count_queries.statements.clear()
    html = client.get("/cart").get_data(as_text=True)
    assert html.count('class="cart-line"') == 49
    assert count_queries.count == few, count_queries.statements
    assert few <= 3, count_queries.statements  # the user; the cart, prices and stock; photos
    count_queries.statements.clear()
    add(client, products[1], "1", **HTMX)
    assert count_queries.count <= 12, count_queries.statements


def test_each_line_is_one_form_whose_buttons_post_where_they_say(login, buyer):
    product = make_product(name="Hinge")
    client = login(buyer)
    add(client, product, "2")
    line = line_id(buyer, product)
    html = client.get("/cart", headers=HTMX).get_data(as_text=True)
    assert f'<form id="line-{line}" class="stepper" method="post"' in html
    assert f'form="line-{line}" formaction="/cart/lines/{line}/save"' in html
    assert f'form="line-{line}" formaction="/cart/lines/{line}/remove"' in html
    assert html.count('name="csrf_token"') == 2  # the line's form and "Save as order list"
    assert html.count("hx-target=") == 1  # set once on #cart, inherited by every line

    # Without JavaScript the browser posts the line's form to the button's formaction.
    response = client.post(f"/cart/lines/{line}/save", data={"quantity": "2"})
    assert response.status_code == 303
    assert lines_of(buyer, saved=True) == [(product.id, D("2"))]
    html = client.get("/cart", headers=HTMX).get_data(as_text=True)
    assert f'action="/cart/lines/{line}/move"' in html
    assert f'formaction="/cart/lines/{line}/remove"' in html
