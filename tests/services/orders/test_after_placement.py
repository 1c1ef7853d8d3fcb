"""After placement: limits and approval, cancel, change lines, reorder."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart.models import CartLine
from portal.core.db import db
from portal.core.errors import DomainError
from portal.documents.models import DocumentEvent, DocumentLine
from portal.notifications.models import OutboxMessage
from portal.orders import services
from portal.orders.models import OrderInfo, OrderStatus
from portal.stock.models import StockLevel
from tests.builders import main_warehouse, make_company, make_product, make_user
from tests.services.orders.helpers import fill_cart, place

D = Decimal


@pytest.fixture
def company():
    return make_company(name="Acme", credit_limit=D("100000.00"))


@pytest.fixture
def admin(company):
    return make_user(role=Role.PARTNER_ADMIN, company=company, email="owner@acme.example")


def status_code(order):
    db.session.refresh(order)
    return db.session.get(OrderStatus, order.status_id).code


def reserved(product):
    level = db.session.get(StockLevel, (product.id, main_warehouse().id))
    db.session.refresh(level)
    return level.reserved


def lines_of(order):
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
        )
    )


def mails_to(email):
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == email))
    )


def test_a_buyer_without_limits_orders_freely(company):
    buyer = make_user(company=company)
    fill_cart(buyer, (make_product(list_price=D("99999.00"), stock=1), "1"))
    assert status_code(place(buyer)) == "new"


def test_an_order_above_the_per_order_limit_waits_for_a_partner_admin(company, admin):
    buyer = make_user(company=company, order_limit=D("1000.00"))
    product = make_product(list_price=D("1000.00"), stock=10)
    fill_cart(buyer, (product, "1"))
    order = place(buyer)  # 1230.00 gross
    assert status_code(order) == "awaiting_approval"
    assert "per-order limit" in db.session.get(OrderInfo, order.id).approval_reason
    assert reserved(product) == 1  # reserved even while waiting
    assert any(order.number in m.subject for m in mails_to(admin.email))
    assert any("approval" in m.subject for m in mails_to(buyer.email))


def test_the_monthly_limit_counts_this_months_orders_except_cancelled(company, admin):
    buyer = make_user(company=company, monthly_limit=D("2000.00"))
    product = make_product(list_price=D("1000.00"), stock=10)
    fill_cart(buyer, (product, "1"))
    first = place(buyer)
    assert status_code(first) == "new"
    fill_cart(buyer, (product, "1"))
    second = place(buyer)  # 1230 + 1230 > 2000
    assert status_code(second) == "awaiting_approval"
    services.cancel_order(first, actor=buyer)
    fill_cart(buyer, (product, "1"))
    assert status_code(place(buyer)) == "awaiting_approval"  # 1230 (second) + 1230 > 2000
    fill_cart(buyer, (make_product(list_price=D("100.00"), stock=10), "1"))
    assert status_code(place(buyer)) == "awaiting_approval"


def test_partner_admin_approves_after_trimming_a_line(company, admin):
    buyer = make_user(company=company, order_limit=D("100.00"))
    a = make_product(list_price=D("50.00"), stock=10)
    b = make_product(list_price=D("10.00"), stock=10)
    fill_cart(buyer, (a, "4"), (b, "2"))
    order = place(buyer)
    line_a, line_b = lines_of(order)
    services.approve_order(order, actor=admin, trims={line_a.id: D("1"), line_b.id: D("0")})
    assert status_code(order) == "new"
    assert [(x.sku, x.quantity, x.reserved) for x in lines_of(order)] == [(a.sku, D("1"), D("1"))]
    assert reserved(a) == 1 and reserved(b) == 0
    db.session.refresh(order)
    assert order.net_total == D("50.00")
    notes = " ".join(
        db.session.scalars(
            sa.select(DocumentEvent.note).where(DocumentEvent.document_id == order.id)
        )
    )
    assert "trimmed" in notes and "removed" in notes and "Approved by" in notes
    assert any("approved" in m.subject for m in mails_to(buyer.email))


def test_partner_admin_rejects_with_a_reason_and_reservations_are_released(company, admin):
    buyer = make_user(company=company, order_limit=D("10.00"))
    product = make_product(list_price=D("50.00"), stock=10)
    fill_cart(buyer, (product, "2"))
    order = place(buyer)
    with pytest.raises(DomainError):
        services.reject_order(order, actor=admin, reason="   ")
    services.reject_order(order, actor=admin, reason="Too many this month")
    assert status_code(order) == "rejected"
    assert reserved(product) == 0
    assert any("Too many this month" in m.body_text for m in mails_to(buyer.email))


def test_nobody_approves_their_own_order(company):
    admin = make_user(role=Role.PARTNER_ADMIN, company=company, order_limit=D("10.00"))
    fill_cart(admin, (make_product(list_price=D("50.00"), stock=10), "1"))
    order = place(admin)
    db.session.commit()
    with pytest.raises(DomainError, match="own order"):
        services.approve_order(order, actor=admin)
    buyer = make_user(company=company)
    with pytest.raises(DomainError, match="partner admin"):
        services.approve_order(order, actor=buyer)
    other_admin = make_user(role=Role.PARTNER_ADMIN, company=make_company())
    with pytest.raises(DomainError):
        services.approve_order(order, actor=other_admin)


def test_a_waiting_order_can_be_cancelled_and_releases_its_reservations(company):
    buyer = make_user(company=company)
    product = make_product(stock=10)
    fill_cart(buyer, (product, "3"))
    order = place(buyer)
    services.cancel_order(order, actor=buyer, reason="Ordered twice")
    assert status_code(order) == "cancelled" and reserved(product) == 0
    with pytest.raises(DomainError):
        services.cancel_order(order, actor=buyer)


def test_a_confirmed_order_cannot_be_cancelled_or_changed_by_the_buyer(company):
    from portal.orders.models import Step
    from portal.orders.statuses import move_to_step

    buyer = make_user(company=company)
    product = make_product(stock=10)
    fill_cart(buyer, (product, "3"))
    order = place(buyer)
    move_to_step(order, Step.CONFIRM, actor=None)
    db.session.commit()
    with pytest.raises(services.OrderLocked):
        services.cancel_order(order, actor=buyer)
    with pytest.raises(services.OrderLocked):
        services.change_line(order, lines_of(order)[0], D("1"), actor=buyer)
    assert reserved(product) == 3


def test_a_cancel_decides_on_the_status_stored_now_not_the_one_loaded_with_the_page(company):
    from portal.documents.models import Document
    from portal.orders.models import Step
    from portal.orders.statuses import status_for

    buyer = make_user(company=company)
    product = make_product(stock=10)
    fill_cart(buyer, (product, "3"))
    order = place(buyer)  # the buyer's page has it as waiting
    confirmed = status_for(Step.CONFIRM).id
    db.session.execute(  # staff confirm it in another request meanwhile
        sa.update(Document)
        .where(Document.id == order.id)
        .values(status_id=confirmed)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(services.OrderLocked):
        services.cancel_order(order, actor=buyer)
    assert reserved(product) == 3


def test_changing_quantities_before_confirmation_moves_reservations_and_totals(company):
    buyer = make_user(company=company)
    a = make_product(list_price=D("10.00"), stock=5)
    b = make_product(list_price=D("1.00"), stock=5)
    fill_cart(buyer, (a, "2"), (b, "1"))
    order = place(buyer)
    line_a, line_b = lines_of(order)
    services.change_line(order, line_a, D("8"), actor=buyer)
    assert (line_a.quantity, line_a.reserved) == (D("8"), D("5")) and reserved(a) == 5
    services.change_line(order, line_b, D("0"), actor=buyer)
    assert [x.sku for x in lines_of(order)] == [a.sku] and reserved(b) == 0
    db.session.refresh(order)
    assert order.net_total == D("80.00")
    with pytest.raises(DomainError, match="at least one line"):
        services.change_line(order, line_a, D("0"), actor=buyer)
    with pytest.raises(DomainError):
        services.change_line(order, line_a, D("-1"), actor=buyer)


def test_reorder_fills_the_cart_at_todays_prices_and_reports_what_is_gone(company):
    buyer = make_user(company=company)
    kept = make_product(name="Kept", list_price=D("10.00"), stock=5)
    retired = make_product(name="Retired", stock=5)
    fill_cart(buyer, (kept, "2"), (retired, "1"))
    order = place(buyer)
    retired.active = False
    kept.list_price = D("12.00")
    db.session.flush()
    result = services.reorder(order, buyer=buyer)
    assert result.added == 1 and result.not_sold == [f"{retired.sku} Retired"]
    lines = list(db.session.scalars(sa.select(CartLine).where(CartLine.saved.is_(False))))
    assert [(x.product_id, x.quantity) for x in lines] == [(kept.id, D("2"))]


def test_messages_to_the_seller_need_text(company):
    buyer = make_user(company=company)
    fill_cart(buyer, (make_product(stock=5), "1"))
    order = place(buyer)
    with pytest.raises(DomainError):
        services.post_message(order, author=buyer, body="  ")
    message = services.post_message(order, author=buyer, body="Please deliver before noon")
    assert message.internal is False


def test_trimming_follows_the_products_quantity_rules(company, admin):
    buyer = make_user(company=company, order_limit=D("10.00"))
    product = make_product(
        list_price=D("5.00"), stock=50, pack_size=D("5"), min_order_quantity=D("5")
    )
    fill_cart(buyer, (product, "20"))
    order = place(buyer)
    (line,) = lines_of(order)
    with pytest.raises(DomainError):
        services.approve_order(order, actor=admin, trims={line.id: D("2.5")})
    db.session.commit()
    services.approve_order(order, actor=admin, trims={line.id: D("7")})  # rounded up to 10
    assert lines_of(order)[0].quantity == D("10")


def test_the_delivery_line_reserves_nothing(company):
    from portal.orders.models import DeliveryMethod

    buyer = make_user(company=company)
    fill_cart(buyer, (make_product(stock=5), "1"))
    order = place(buyer, delivery_method=DeliveryMethod.COURIER)
    assert [line.reserved for line in lines_of(order)] == [D("1"), D("0")]
