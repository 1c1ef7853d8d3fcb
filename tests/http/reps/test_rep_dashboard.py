"""A sales rep watches the assigned partners: orders, overdue invoices, sales, notes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.core.clock import local_today
from portal.core.db import atomic
from portal.documents.models import DocumentKind
from portal.orders.models import Step
from portal.orders.statuses import move_to_step
from portal.reps.queries import month_start, previous_month_start
from tests.builders import make_company, make_product, make_user
from tests.http.backoffice.documents import sale
from tests.services.orders.helpers import fill_cart, place


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    rep = make_user(role=Role.SALES_REP, name="Rafał Rep")
    other_rep = make_user(role=Role.SALES_REP)
    mine = make_company(name="Acme Hinges", sales_rep_id=rep.id)
    theirs = make_company(name="Globex Screws", sales_rep_id=other_rep.id)
    return rep, other_rep, mine, theirs


def order_of(company, *, hold: bool = False):  # type: ignore[no-untyped-def]
    buyer = make_user(company=company)
    fill_cart(buyer, (make_product(stock=10), "1"))
    order = place(buyer)
    if hold:
        with atomic():
            move_to_step(order, Step.HOLD, actor=None)
    return order


def test_a_rep_sees_only_the_assigned_partners_orders_invoices_and_sales(login, world):
    rep, _, mine, theirs = world
    today = local_today()
    product = make_product(name="Hinge")
    waiting, problem, foreign = order_of(mine), order_of(mine, hold=True), order_of(theirs)
    overdue = sale(
        mine,
        product,
        on=today - timedelta(days=70),
        due_on=today - timedelta(days=5),
        price="50.00",
    )
    sale(
        mine,
        product,
        on=today - timedelta(days=70),
        due_on=today - timedelta(days=5),
        price="80.00",
        paid="98.40",
    )  # paid in full: not overdue
    foreign_overdue = sale(
        theirs, product, on=today - timedelta(days=70), due_on=today - timedelta(days=5)
    )
    sale(mine, product, on=month_start(today), price="300.00")
    sale(mine, product, on=month_start(today), price="20.00", quantity="-1", kind=DocumentKind.KOR)
    sale(mine, product, on=previous_month_start(today), price="120.00")
    sale(theirs, product, on=month_start(today), price="999.00")

    html = login(rep).get("/rep").get_data(as_text=True)

    assert waiting.number in html and problem.number in html
    assert foreign.number not in html
    assert '<strong>1</strong><span class="muted small">orders waiting' in html
    assert (
        '"tile alert" href="#attention"><strong>1</strong><span class="muted small">orders with'
        in html
    )
    assert overdue.number in html and foreign_overdue.number not in html
    assert "PLN\xa061.50" in html  # the overdue invoice's gross, 50 + 23 %
    assert "<strong>1 · PLN\xa061.50</strong>" in html  # the tile: count and sum
    assert "Globex Screws" not in html
    assert "<svg" in html and 'aria-label="Net sales per partner"' in html
    assert "PLN\xa0280.00" in html  # this month: 300 less the 20 correction
    assert "PLN\xa0120.00" in html  # last month
    assert "PLN\xa0999.00" not in html


def test_another_reps_partner_answers_404_and_partners_get_403(login, world):
    rep, _, mine, theirs = world
    client = login(rep)
    assert client.get(f"/rep/partners/{mine.id}").status_code == 200
    assert client.get(f"/rep/partners/{theirs.id}").status_code == 404
    assert client.post(f"/rep/partners/{theirs.id}/notes", data={"body": "x"}).status_code == 404
    partner_admin = login(make_user(role=Role.PARTNER_ADMIN, company=mine))
    assert partner_admin.get(f"/rep/partners/{mine.id}").status_code == 403
    assert partner_admin.get("/rep").status_code == 403


def test_a_rep_adds_a_note_that_the_partner_never_sees(login, world):
    rep, other_rep, mine, _ = world
    buyer = make_user(company=mine, name="Anna Buyer", email="anna@acme.example")
    order = order_of(mine)
    client = login(rep)

    card = client.get(f"/rep/partners/{mine.id}").get_data(as_text=True)
    assert "Anna Buyer" in card and "anna@acme.example" in card and order.number in card

    response = client.post(
        f"/rep/partners/{mine.id}/notes", data={"body": "Pays late in December; call Anna first."}
    )
    assert response.status_code == 303
    card = client.get(f"/rep/partners/{mine.id}").get_data(as_text=True)
    assert "Pays late in December; call Anna first." in card
    assert "Rafał Rep" in card

    empty = client.post(f"/rep/partners/{mine.id}/notes", data={"body": "   "})
    assert empty.status_code == 422
    assert 'id="note-body-error"' in empty.get_data(as_text=True)

    partner_admin = login(make_user(role=Role.PARTNER_ADMIN, company=mine))
    for url in ("/company", f"/orders/{order.id}", "/orders"):
        page = partner_admin.get(url).get_data(as_text=True)
        assert "Pays late in December" not in page, url
    assert login(buyer).get(f"/rep/partners/{mine.id}").status_code == 403
    assert login(other_rep).get(f"/rep/partners/{mine.id}").status_code == 404


def test_the_dashboard_takes_the_same_number_of_queries_for_more_partners(
    login, world, count_queries
):
    rep, *_ = world
    client = login(rep)
    product = make_product()
    today = local_today()

    def add_partner():  # type: ignore[no-untyped-def]
        company = make_company(sales_rep_id=rep.id)
        order_of(company)
        order_of(company, hold=True)
        sale(company, product, on=today, due_on=today - timedelta(days=1))
        sale(company, product, on=previous_month_start(today))

    add_partner()
    client.get("/rep")
    count_queries.statements.clear()
    client.get("/rep")
    few = count_queries.count
    for _ in range(3):
        add_partner()
    count_queries.statements.clear()
    assert client.get("/rep").status_code == 200
    assert count_queries.count == few
