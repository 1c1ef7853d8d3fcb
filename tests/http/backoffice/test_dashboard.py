"""The office dashboard: what staff have to do today, each tile linking to its list."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.orders.models import OrderStatus, Step
from portal.orders.statuses import move_to_step
from tests.builders import make_company, make_product, make_user, set_stock
from tests.http.backoffice.documents import sale
from tests.services.orders.helpers import fill_cart, place


def order(*, step: Step | None = None, awaiting: bool = False):  # type: ignore[no-untyped-def]
    buyer = make_user()
    fill_cart(buyer, (make_product(stock=10), "1"))
    placed = place(buyer)
    if step is not None:
        with atomic():
            move_to_step(placed, step, actor=None)
    if awaiting:
        placed.status_id = db.session.scalar(
            sa.select(OrderStatus.id).where(OrderStatus.step == Step.HOLD_FOR_APPROVAL)
        )
        db.session.flush()
    return placed


def build_day():  # type: ignore[no-untyped-def]
    today = local_today()
    order(), order()  # new: to confirm
    order(awaiting=True)  # waits for the partner's admin, not for staff
    order(step=Step.CONFIRM)  # to pick and pack
    company = make_company()
    sale(
        company,
        make_product(),
        on=today - timedelta(days=30),
        due_on=today - timedelta(days=1),
        price="100.00",
        paid="23.00",
    )
    sale(company, make_product(), on=today, due_on=today + timedelta(days=14))
    low = make_product(name="Hinge", min_stock="10")
    set_stock(low, on_hand="12", reserved="5")


def test_staff_see_todays_work_on_tiles_that_link_to_the_lists(login):
    build_day()
    html = login(make_user(role=Role.STAFF)).get("/office").get_data(as_text=True)

    assert '<strong>2</strong><span class="muted small">orders to confirm' in html
    assert '<strong>1</strong><span class="muted small">orders to pick and pack' in html
    assert "<strong>1 · PLN\xa0100.00</strong>" in html  # 123.00 gross less 23.00 paid
    assert '<strong>1</strong><span class="muted small">products below their minimum stock' in html
    for href in (
        "/office/orders?status=type:waiting",
        "/office/orders?status=confirmed",
        "/office/documents?payment=overdue",
        "/office/stock/low",
        "/office/mail",
        "/office/reports",
    ):
        assert f'href="{href}"' in html


def test_the_dashboard_takes_the_same_number_of_queries_for_more_data(login, count_queries):
    client = login(make_user(role=Role.STAFF))
    build_day()
    client.get("/office")
    count_queries.statements.clear()
    client.get("/office")
    few = count_queries.count
    for _ in range(3):
        build_day()
    count_queries.statements.clear()
    assert client.get("/office").status_code == 200
    assert count_queries.count == few


@pytest.mark.parametrize("role", [Role.BUYER, Role.PARTNER_ADMIN, Role.SALES_REP])
def test_partners_and_reps_cannot_open_the_office(login, role):
    client = login(make_user(role=role))
    for url in (
        "/office",
        "/office/reports",
        "/office/reports/sales",
        "/office/reports/sales?format=csv",
        "/office/reports/purchases",
        "/office/reports/stock",
    ):
        assert client.get(url).status_code == 403, url
