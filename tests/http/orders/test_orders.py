"""My orders, one order, and what partners do with them."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart.models import CartLine
from portal.core.db import db
from portal.orders.models import OrderStatus
from tests.builders import make_company, make_product, make_user
from tests.services.orders.helpers import fill_cart, place

D = Decimal


@pytest.fixture
def company():
    return make_company(name="Acme")


def placed(buyer, *items, **overrides):
    fill_cart(buyer, *items)
    order = place(buyer, **overrides)
    db.session.commit()
    return order


def test_my_orders_lists_searches_and_filters(login, company):
    buyer = make_user(company=company)
    first = placed(buyer, (make_product(sku="HNG-1", stock=5), "1"), customer_reference="PO-1")
    second = placed(buyer, (make_product(sku="SCR-9", stock=5), "1"), customer_reference="PO-2")
    client = login(buyer)
    html = client.get("/orders").get_data(as_text=True)
    assert first.number in html and second.number in html
    assert html.index(second.number) < html.index(first.number)  # newest first
    assert first.number not in client.get("/orders?q=PO-2").get_data(as_text=True)
    assert second.number not in client.get("/orders?q=hng-1").get_data(as_text=True)
    assert first.number in client.get(f"/orders?q={first.number}").get_data(as_text=True)
    assert first.number in client.get("/orders?status=type:waiting").get_data(as_text=True)
    assert first.number not in client.get("/orders?status=cancelled").get_data(as_text=True)
    assert first.number not in client.get("/orders?from=2999-01-01").get_data(as_text=True)
    for odd in (
        "from=yesterday",
        "before=abc",
        "status=%27",
        "q=%25%25",
        "before=99999999999999999",
    ):
        assert client.get(f"/orders?{odd}").status_code == 200


def test_load_more_brings_the_next_orders_as_a_fragment(login, company):
    buyer = make_user(company=company)
    product = make_product(stock=500)
    orders = [placed(buyer, (product, "1")) for _ in range(22)]
    client = login(buyer)
    html = client.get("/orders").get_data(as_text=True)
    assert orders[0].number not in html and "Load more" in html
    more = client.get(f"/orders?before={orders[2].id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert orders[0].number in more and "<html" not in more


def test_a_buyer_sees_only_their_own_orders_but_the_partner_admin_sees_all(login, company):
    alice = make_user(company=company)
    bob = make_user(company=company)
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)
    order = placed(alice, (make_product(stock=5), "1"))
    assert login(bob).get(f"/orders/{order.id}").status_code == 404
    assert order.number not in login(bob).get("/orders").get_data(as_text=True)
    assert login(admin).get(f"/orders/{order.id}").status_code == 200


def test_another_companys_order_answers_404(login, company):
    order = placed(make_user(company=make_company()), (make_product(stock=5), "1"))
    client = login(make_user(role=Role.PARTNER_ADMIN, company=company))
    assert client.get(f"/orders/{order.id}").status_code == 404
    assert client.post(f"/orders/{order.id}/cancel").status_code == 404


def test_buyer_cancels_a_waiting_order(login, company):
    buyer = make_user(company=company)
    order = placed(buyer, (make_product(stock=5), "1"))
    client = login(buyer)
    response = client.post(f"/orders/{order.id}/cancel", data={"reason": "Duplicate"})
    assert response.status_code == 303
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Cancelled" in html and "Duplicate" in html and "Cancel order" not in html


def test_buyer_changes_a_quantity_before_confirmation(login, company):
    buyer = make_user(company=company)
    order = placed(buyer, (make_product(name="Bolt", list_price=D("2.00"), stock=50), "5"))
    client = login(buyer)
    html = client.get(f"/orders/{order.id}").get_data(as_text=True)
    import re

    line_id = re.search(rf"/orders/{order.id}/lines/(\d+)", html).group(1)
    assert (
        client.post(f"/orders/{order.id}/lines/{line_id}", data={"quantity": "7"}).status_code
        == 303
    )
    assert "5 → 7" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    client.post(f"/orders/{order.id}/lines/{line_id}", data={"quantity": "-3"})
    client.post(f"/orders/{order.id}/lines/{line_id}", data={"quantity": "lots"})
    client.post(f"/orders/{order.id}/lines/{line_id}", data={"quantity": "2.5"})
    db.session.expire_all()
    assert order.net_total == D("14.00")


def test_reorder_puts_the_lines_in_the_cart(login, company):
    buyer = make_user(company=company)
    product = make_product(stock=50)
    order = placed(buyer, (product, "3"))
    client = login(buyer)
    response = client.post(f"/orders/{order.id}/reorder")
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    line = db.session.scalar(sa.select(CartLine).where(CartLine.product_id == product.id))
    assert line.quantity == D("3")


def test_the_message_thread_with_the_seller(login, company):
    buyer = make_user(company=company)
    order = placed(buyer, (make_product(stock=5), "1"))
    client = login(buyer)
    client.post(f"/orders/{order.id}/messages", data={"body": "Can you deliver on Friday?"})
    assert "Can you deliver on Friday?" in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_partner_admin_approves_from_the_order_page(login, company):
    buyer = make_user(company=company, order_limit=D("10.00"))
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)
    order = placed(buyer, (make_product(list_price=D("50.00"), stock=5), "1"))
    client = login(admin)
    listing = client.get("/orders").get_data(as_text=True)
    assert "1 order waits for your approval" in listing and order.number in listing
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Approve order" in page and "Reject order" in page
    assert client.post(f"/orders/{order.id}/approve").status_code == 303
    db.session.expire_all()
    assert db.session.get(OrderStatus, order.status_id).code == "new"
    buyer_page = login(buyer).get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Approve order" not in buyer_page


def test_a_rep_reads_partner_orders_but_changes_only_while_acting(login, company):
    rep = make_user(role=Role.SALES_REP, name="Robert")
    company.sales_rep_id = rep.id
    buyer = make_user(company=company, name="Bartek")
    order = placed(buyer, (make_product(stock=5), "1"))
    client = login(rep)
    assert order.number in client.get("/orders").get_data(as_text=True)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Cancel order" not in page
    assert client.post(f"/orders/{order.id}/cancel").status_code == 403
    assert client.post(f"/acting/{buyer.id}").status_code == 303
    banner = client.get("/catalog").get_data(as_text=True)
    assert "You are acting as Bartek, Acme." in banner and "Stop acting" in banner
    assert client.post(f"/orders/{order.id}/cancel").status_code == 303
    client.post("/acting/stop")
    assert "You are acting as" not in client.get("/catalog").get_data(as_text=True)


def test_a_rep_cannot_act_for_a_partner_that_is_not_theirs(login):
    rep = make_user(role=Role.SALES_REP)
    stranger = make_user(company=make_company())
    client = login(rep)
    assert client.post(f"/acting/{stranger.id}").status_code == 404
    assert client.get("/cart").status_code == 404
    buyer = make_user(company=make_company())
    assert login(buyer).post(f"/acting/{stranger.id}").status_code == 404
