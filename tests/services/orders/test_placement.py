"""Placing an order: one transaction with number, snapshots, reservations and mail."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart.models import CartLine
from portal.cart.queries import cart_view
from portal.cart.services import cart_of
from portal.core.db import db
from portal.core.errors import DomainError
from portal.documents.models import Document, DocumentEvent, DocumentKind, DocumentLine
from portal.notifications.models import OutboxMessage
from portal.orders.models import (
    DeliveryMethod,
    OrderInfo,
    OrderStatus,
    PaymentMethod,
    StatusType,
)
from portal.orders.services import CheckoutChanged, EmptyCart, place_order, seen_lines
from portal.stock.models import StockLevel
from tests.builders import main_warehouse, make_company, make_product, make_user, set_stock
from tests.services.orders.helpers import checkout, fill_cart, place, viewer_for

D = Decimal


@pytest.fixture
def buyer():
    company = make_company(name="Acme", credit_limit=D("100000.00"), payment_terms_days=14)
    return make_user(role=Role.BUYER, company=company, email="buyer@acme.example")


def stock_of(product):
    level = db.session.get(StockLevel, (product.id, main_warehouse().id))
    db.session.refresh(level)
    return level


def lines_of(order):
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
        )
    )


def test_placing_numbers_the_order_snapshots_prices_and_reserves_stock(buyer):
    hinge = make_product(name="Hinge", list_price=D("10.00"), stock=100)
    screw = make_product(name="Screw", list_price=D("0.35"), stock=1000)
    fill_cart(buyer, (hinge, "5"), (screw, "100"))
    order = place(buyer)
    today = date.today()
    assert re.fullmatch(rf"ZK/{today:%Y}/{today:%m}/\d{{4}}", order.number)
    assert order.kind is DocumentKind.ZK and order.company_id == buyer.company_id
    lines = lines_of(order)
    assert [
        (line.sku, line.quantity, line.unit_price, line.net, line.reserved) for line in lines
    ] == [
        (hinge.sku, D("5"), D("10.00"), D("50.00"), D("5")),
        (screw.sku, D("100"), D("0.35"), D("35.00"), D("100")),
    ]
    assert (order.net_total, order.vat_total, order.gross_total) == (
        D("85.00"),
        D("19.55"),
        D("104.55"),
    )
    assert stock_of(hinge).reserved == D("5") and stock_of(screw).reserved == D("100")
    assert db.session.get(OrderInfo, order.id).payment_method is PaymentMethod.BANK_TRANSFER
    status = db.session.get(OrderStatus, order.status_id)
    assert status.code == "new" and status.type is StatusType.WAITING


def test_the_cart_is_emptied_but_saved_items_stay(buyer):
    product = make_product(stock=10)
    parked = make_product(stock=10)
    fill_cart(buyer, (product, "1"), (parked, "2"))
    line = db.session.scalar(sa.select(CartLine).where(CartLine.product_id == parked.id))
    line.saved = True
    db.session.flush()
    generation = cart_of(buyer).generation
    place(buyer)
    remaining = list(
        db.session.scalars(sa.select(CartLine).where(CartLine.cart_id == cart_of(buyer).id))
    )
    assert [(x.product_id, x.saved) for x in remaining] == [(parked.id, True)]
    assert cart_of(buyer).generation == generation + 1


def test_confirmation_mail_is_queued_in_the_same_transaction(buyer):
    fill_cart(buyer, (make_product(stock=5), "1"))
    order = place(buyer)
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == buyer.email))
    assert mail is not None and order.number in mail.subject and order.number in mail.body_text


def test_asking_for_more_than_available_reserves_what_there_is_and_backorders_the_rest(buyer):
    product = make_product(stock=3)
    fill_cart(buyer, (product, "10"))
    order = place(buyer)
    (line,) = lines_of(order)
    assert (line.quantity, line.reserved, line.backorder) == (D("10"), D("3"), D("7"))
    level = stock_of(product)
    assert level.reserved == level.on_hand == D("3")


def test_the_same_submission_twice_gives_one_order(buyer):
    fill_cart(buyer, (make_product(stock=5), "2"))
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    key, seen = view.content_key, seen_lines(view)
    first = place_order(
        buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen
    )
    second = place_order(
        buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen
    )
    assert first.id == second.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_the_same_products_ordered_again_later_make_a_new_order(buyer):
    product = make_product(stock=50)
    fill_cart(buyer, (product, "2"))
    first = place(buyer)
    fill_cart(buyer, (product, "2"))
    second = place(buyer)
    assert first.id != second.id
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_an_empty_cart_cannot_be_placed(buyer):
    with pytest.raises(EmptyCart):
        place(buyer)


def test_a_price_change_since_the_buyer_looked_asks_for_confirmation(buyer):
    product = make_product(name="Drill", list_price=D("100.00"), stock=5)
    fill_cart(buyer, (product, "1"))
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    key, seen = view.content_key, seen_lines(view)
    product.list_price = D("110.00")
    db.session.flush()
    with pytest.raises(CheckoutChanged) as changed:
        place_order(buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen)
    assert "Drill" in changed.value.changes[0] and "110.00" in changed.value.changes[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_losing_the_last_units_to_someone_else_is_announced_before_placing(buyer):
    product = make_product(name="Last pump", stock=2)
    fill_cart(buyer, (product, "2"))
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    key, seen = view.content_key, seen_lines(view)
    set_stock(product, on_hand=D("2"), reserved=D("2"))  # the rival's order
    db.session.commit()  # a refused placement rolls back to here, not further
    with pytest.raises(CheckoutChanged) as changed:
        place_order(buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen)
    assert "backorder" in changed.value.changes[0]
    view = cart_view(buyer, viewer)  # the buyer sees it and confirms
    order = place_order(
        buyer,
        actor=buyer,
        viewer=viewer,
        checkout=checkout(),
        seen_key=view.content_key,
        seen=seen_lines(view),
    )
    assert lines_of(order)[0].reserved == 0
    assert stock_of(product).reserved == D("2")


def test_a_cart_changed_in_another_tab_is_not_placed_blindly(buyer):
    product = make_product(stock=10)
    fill_cart(buyer, (product, "1"))
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    key, seen = view.content_key, seen_lines(view)
    fill_cart(buyer, (product, "1"))
    with pytest.raises(CheckoutChanged):
        place_order(buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen)


def test_a_cart_changed_after_it_was_priced_is_caught_under_the_lock(buyer, monkeypatch):
    """The cart is priced before the transaction; a change that lands between the pricing
    and the lock (a quantity typed in another tab) is seen by the check under the lock."""
    from portal.orders import services

    product = make_product(stock=10)
    fill_cart(buyer, (product, "1"))
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    key, seen = view.content_key, seen_lines(view)
    db.session.execute(  # behind the loaded objects' back, as another request would
        sa.update(CartLine).values(quantity=D("7")).execution_options(synchronize_session=False)
    )
    monkeypatch.setattr(services, "cart_view", lambda *args, **kwargs: view)
    with pytest.raises(CheckoutChanged):
        place_order(buyer, actor=buyer, viewer=viewer, checkout=checkout(), seen_key=key, seen=seen)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert stock_of(product).reserved == 0


def test_vat_is_summed_per_rate_and_rounded_once(buyer):
    from tests.builders import vat_rate

    a = make_product(list_price=D("0.33"), stock=100)
    b = make_product(list_price=D("0.33"), stock=100)
    c = make_product(list_price=D("9.99"), vat_rate_id=vat_rate("8").id, stock=100)
    fill_cart(buyer, (a, "1"), (b, "1"), (c, "1"))
    order = place(buyer)
    # 23 %: net 0.66 -> VAT 0.15 (line by line it would be 0.08 + 0.08); 8 %: 9.99 -> 0.80
    assert (order.net_total, order.vat_total, order.gross_total) == (
        D("10.65"),
        D("0.95"),
        D("11.60"),
    )


def test_courier_delivery_is_a_line_with_its_cost(buyer):
    from portal.orders.models import DeliveryMethod

    fill_cart(buyer, (make_product(list_price=D("100.00"), stock=5), "1"))
    order = place(buyer, delivery_method=DeliveryMethod.COURIER)
    lines = lines_of(order)
    assert lines[-1].sku == "DELIVERY" and lines[-1].net == D("25.00")
    assert order.net_total == D("125.00")


def test_on_account_needs_terms_and_room_under_the_credit_limit():
    company = make_company(payment_terms_days=14, credit_limit=D("500.00"))
    buyer = make_user(company=company)
    fill_cart(buyer, (make_product(list_price=D("300.00"), stock=10), "1"))
    place(buyer, payment_method=PaymentMethod.ON_ACCOUNT)  # 369.00 gross: fits
    fill_cart(buyer, (make_product(list_price=D("300.00"), stock=10), "1"))
    with pytest.raises(DomainError, match="credit limit"):
        place(buyer, payment_method=PaymentMethod.ON_ACCOUNT)  # 738.00 open: does not
    prepaid = make_user(company=make_company(payment_terms_days=0, credit_limit=D("0.00")))
    fill_cart(prepaid, (make_product(stock=10), "1"))
    with pytest.raises(DomainError):
        place(prepaid, payment_method=PaymentMethod.ON_ACCOUNT)


def test_extra_discount_percent_and_amount_spread_over_lines(buyer):
    rep = make_user(role=Role.SALES_REP)
    a = make_product(list_price=D("100.00"), stock=10)
    b = make_product(list_price=D("50.00"), stock=10)
    fill_cart(buyer, (a, "1"), (b, "1"))
    order = place(buyer, actor=rep, extra_discount_percent=D("10"))
    assert [line.net for line in lines_of(order)] == [D("90.00"), D("45.00")]
    fill_cart(buyer, (a, "1"), (b, "2"))
    order = place(buyer, actor=rep, extra_discount_amount=D("10.00"))
    assert [line.discount for line in lines_of(order)] == [D("5.00"), D("5.00")]
    assert order.net_total == D("190.00")


def test_an_order_placed_by_a_rep_says_so_on_its_timeline_and_copies_the_rep(buyer):
    rep = make_user(role=Role.SALES_REP, name="Robert Handlowiec", email="rep@demo.example")
    fill_cart(buyer, (make_product(stock=5), "1"))
    order = place(buyer, actor=rep)
    notes = list(
        db.session.scalars(
            sa.select(DocumentEvent.note).where(DocumentEvent.document_id == order.id)
        )
    )
    assert any("Placed by Robert Handlowiec for Acme" in note for note in notes)
    assert order.created_by_id == rep.id and order.user_id == buyer.id
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == buyer.email))
    assert mail.cc == "rep@demo.example"


def test_numbers_are_gapless_even_when_a_placement_fails(buyer):
    product = make_product(stock=10)
    fill_cart(buyer, (product, "1"))
    first = place(buyer)
    fill_cart(buyer, (product, "1"))
    db.session.commit()
    with pytest.raises(DomainError):
        place(
            buyer, payment_method=PaymentMethod.CARD
        )  # no Stripe keys: refused after numbering began
    second = place(buyer)
    assert int(second.number[-4:]) == int(first.number[-4:]) + 1


def test_placing_writes_the_timeline_and_numbers_the_order_in_one_transaction(buyer):
    fill_cart(buyer, (make_product(stock=5), "2"), (make_product(stock=5), "1"))
    order = place(buyer, delivery_method=DeliveryMethod.COURIER)
    events = list(
        db.session.scalars(
            sa.select(DocumentEvent)
            .where(DocumentEvent.document_id == order.id)
            .order_by(DocumentEvent.id)
        )
    )
    new = db.session.get(OrderStatus, order.status_id)
    assert [(e.kind.value, e.from_status_id, e.to_status_id) for e in events] == [
        ("created", None, None),
        ("status", None, new.id),
    ]
    assert [line.sku for line in lines_of(order)][-1] == "DELIVERY"
    db.session.expire_all()
    assert db.session.get(Document, order.id).number == order.number is not None


def test_a_reservation_beyond_the_stock_on_hand_is_refused_by_the_database_guard(buyer):
    from portal.core.db import atomic
    from portal.stock.reservations import change_reserved

    product = make_product(stock=3)
    warehouse = main_warehouse().id
    db.session.commit()  # kept through the refused changes' rollbacks
    with pytest.raises(RuntimeError), atomic():
        change_reserved(warehouse, {product.id: D("4")})
    assert stock_of(product).reserved == 0
    with pytest.raises(RuntimeError), atomic():
        change_reserved(warehouse, {product.id: D("-1")})
    assert stock_of(product).reserved == 0
