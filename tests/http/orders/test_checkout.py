"""A buyer checks out: one page, clear choices, exactly one order per submission."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document
from tests.builders import make_address, make_company, make_product, make_user, set_stock
from tests.services.orders.helpers import fill_cart

D = Decimal


@pytest.fixture
def buyer():
    company = make_company(name="Acme", payment_terms_days=14, credit_limit=D("5000.00"))
    make_address(company, label="Poznań warehouse", is_default=True)
    user = make_user(role=Role.BUYER, company=company)
    db.session.commit()
    return user


def hidden(html, name):
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, name
    return match.group(1).replace("&#34;", '"').replace("&quot;", '"')


def form_of(html, **overrides):
    address = re.search(r'name="address" value="(\d+)"', html).group(1)
    data = {
        "content_key": hidden(html, "content_key"),
        "seen": hidden(html, "seen"),
        "address": address,
        "delivery_method": "courier",
        "payment_method": "on_account",
        "customer_reference": "PO-77",
        "message": "Ring twice",
    }
    data.update(overrides)
    return data


def orders_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Document))


def test_buyer_places_an_order_on_account_and_sees_it(login, buyer):
    fill_cart(buyer, (make_product(name="Hinge", list_price=D("10.00"), stock=50), "5"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    assert (
        "Place order" in page
        and "Poznań warehouse" in page
        and "Invoice payable in 14 days" in page
    )
    response = client.post("/checkout", data=form_of(page))
    assert response.status_code == 303
    order_url = response.headers["Location"]
    html = client.get(order_url).get_data(as_text=True)
    number = re.search(r"ZK/\d{4}/\d{2}/\d{4}", html).group(0)
    assert html.index(number) < html.index("Lines")  # the number near the top
    assert "Hinge" in html and "PO-77" in html and "Ring twice" in html and "New" in html
    assert "Cancel order" in html and "Reorder" in html


def test_double_submission_and_two_tabs_make_one_order(login, buyer):
    fill_cart(buyer, (make_product(stock=50), "1"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    second_tab = client.get("/checkout").get_data(as_text=True)
    first = client.post("/checkout", data=form_of(page))
    again = client.post("/checkout", data=form_of(page))
    other = client.post("/checkout", data=form_of(second_tab))
    assert first.headers["Location"] == again.headers["Location"] == other.headers["Location"]
    assert orders_count() == 1


def test_on_account_is_explained_and_disabled_above_the_credit_limit(login, buyer):
    fill_cart(buyer, (make_product(list_price=D("9000.00"), stock=5), "1"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    assert "would exceed your credit limit" in page
    assert re.search(r'value="on_account"\s+disabled', page)
    response = client.post("/checkout", data=form_of(page, payment_method="on_account"))
    assert response.status_code == 422
    assert "credit limit" in response.get_data(as_text=True)
    assert orders_count() == 0
    assert (
        client.post("/checkout", data=form_of(page, payment_method="bank_transfer")).status_code
        == 303
    )


def test_card_is_hidden_without_stripe_keys(login, buyer):
    fill_cart(buyer, (make_product(stock=5), "1"))
    db.session.commit()
    page = login(buyer).get("/checkout").get_data(as_text=True)
    assert 'value="card"' not in page


def test_a_one_off_address_is_validated_next_to_its_fields(login, buyer):
    fill_cart(buyer, (make_product(stock=5), "1"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    response = client.post(
        "/checkout",
        data=form_of(
            page,
            address="new",
            recipient="Site B",
            street="ul. Nowa 5",
            postal_code="123",
            city="Łódź",
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Polish postal codes look like 60-001." in html
    assert 'value="ul. Nowa 5"' in html and 'value="Łódź"' in html
    ok = client.post(
        "/checkout",
        data=form_of(
            page,
            address="new",
            recipient="Site B",
            street="ul. Nowa 5",
            postal_code="90-001",
            city="Łódź",
        ),
    )
    assert ok.status_code == 303
    assert "ul. Nowa 5" in client.get(ok.headers["Location"]).get_data(as_text=True)


def test_a_price_change_is_shown_and_confirmed_before_placing(login, buyer):
    product = make_product(name="Drill", list_price=D("100.00"), stock=5)
    fill_cart(buyer, (product, "1"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    product.list_price = D("120.00")
    db.session.commit()
    response = client.post("/checkout", data=form_of(page))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "The price of Drill is now 120.00 net." in html
    assert orders_count() == 0
    assert client.post("/checkout", data=form_of(html)).status_code == 303
    assert orders_count() == 1


def test_losing_the_last_units_is_announced_and_the_line_becomes_a_backorder(login, buyer):
    product = make_product(name="Last pump", stock=2)
    fill_cart(buyer, (product, "2"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    set_stock(product, on_hand=D("2"), reserved=D("2"))
    db.session.commit()
    response = client.post("/checkout", data=form_of(page))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "backorder" in html
    placed = client.post("/checkout", data=form_of(html))
    order_page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "Backorder: 2" in order_page


def test_tampered_or_missing_fields_never_break_checkout(login, buyer):
    fill_cart(buyer, (make_product(list_price=D("10.00"), stock=5), "1"))
    db.session.commit()
    client = login(buyer)
    page = client.get("/checkout").get_data(as_text=True)
    for tampered in (
        {"seen": "not json"},
        {"seen": '{"1": ["0.01", "99"]}'},
        {"content_key": "forged"},
        {"payment_method": "bitcoin"},
        {"delivery_method": "drone"},
        {"address": "999999"},
        {"requested_delivery_on": "1999-01-01"},
        {"discount_percent": "100"},
    ):
        response = client.post("/checkout", data=form_of(page, **tampered))
        assert response.status_code in (303, 404, 409, 422), (tampered, response.status_code)
    from portal.documents.models import DocumentLine

    goods = db.session.scalars(sa.select(DocumentLine).where(DocumentLine.product_id.is_not(None)))
    for line in goods:  # never the client's price, never a discount the buyer gave himself
        assert (line.unit_price, line.discount, line.net) == (D("10.00"), D("0.00"), D("10.00"))


def test_an_empty_cart_goes_back_to_the_cart(login, buyer):
    response = login(buyer).get("/checkout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")


def test_staff_not_acting_have_no_checkout(login):
    assert login(make_user(role=Role.STAFF)).get("/checkout").status_code == 404
