"""Cart commands against the real database: merging, pack and minimum rules, saved items."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.cart import services
from portal.cart.models import Cart, CartLine, OrderListLine
from portal.cart.quantities import InvalidQuantity
from portal.cart.queries import cart_count, cart_line_for, cart_view, order_list_lines
from portal.cart.quickorder import parse_text
from portal.catalog.queries import Viewer
from portal.core.db import db
from portal.core.errors import DomainError
from tests.builders import main_warehouse, make_company, make_product, make_user

D = Decimal


@pytest.fixture
def buyer():
    return make_user(role=Role.BUYER, company=make_company())


def lines(user, *, saved=False):
    return [
        (line.product_id, line.quantity)
        for line in db.session.scalars(
            sa.select(CartLine)
            .join(Cart, Cart.id == CartLine.cart_id)
            .where(Cart.user_id == user.id, CartLine.saved.is_(saved))
            .order_by(CartLine.id)
        )
    ]


def line_of(user, product, *, saved=False):
    line_id = db.session.scalar(
        sa.select(CartLine.id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(
            Cart.user_id == user.id,
            CartLine.product_id == product.id,
            CartLine.saved.is_(saved),
        )
    )
    return cart_line_for(user, line_id)


def test_one_cart_per_user_made_on_first_use(buyer):
    first = services.cart_of(buyer)
    assert services.cart_of(buyer).id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cart)) == 1


def test_adding_a_product_twice_merges_into_one_line(buyer):
    product = make_product()
    services.add_to_cart(buyer, product, D(2))
    added = services.add_to_cart(buyer, product, D(3))
    assert added.quantity == D(3) and added.note is None
    assert lines(buyer) == [(product.id, D(5))]


def test_pack_size_rounds_up_with_a_note_about_what_was_added(buyer):
    product = make_product(pack_size=D(10))
    first = services.add_to_cart(buyer, product, D(7))
    assert (first.quantity, first.note) == (D(10), "Sold in packs of 10: rounded up to 10.")
    second = services.add_to_cart(buyer, product, D(15))
    assert (second.quantity, second.note) == (D(20), "Sold in packs of 10: rounded up to 20.")
    assert lines(buyer) == [(product.id, D(30))]


def test_minimum_order_quantity_raises_the_first_add(buyer):
    product = make_product(min_order_quantity=D(12), pack_size=D(6))
    added = services.add_to_cart(buyer, product, D(1))
    assert added.quantity == D(12) and added.note == "The minimum order is 12 pcs."
    more = services.add_to_cart(buyer, product, D(6))  # above the minimum now: one pack
    assert more.quantity == D(6) and more.note is None
    assert lines(buyer) == [(product.id, D(18))]


def test_minimum_and_pack_together_say_both(buyer):
    product = make_product(min_order_quantity=D(5), pack_size=D(4))
    added = services.add_to_cart(buyer, product, D(1))
    assert added.quantity == D(8)
    assert added.note == "The minimum order is 5 pcs. Sold in packs of 4: rounded up to 8."


def test_a_merged_line_past_the_limit_is_refused_and_the_line_kept(buyer):
    product = make_product()
    services.add_to_cart(buyer, product, D(90_000))
    with pytest.raises(InvalidQuantity):
        services.add_to_cart(buyer, product, D(20_000))
    assert lines(buyer) == [(product.id, D(90_000))]


@pytest.mark.parametrize("quantity", [None, D(0), D(-1), D("1.5"), D("NaN"), D("Infinity")])
def test_impossible_quantities_change_nothing(buyer, quantity):
    product = make_product()
    services.add_to_cart(buyer, product, D(1))
    with pytest.raises(InvalidQuantity):
        services.add_to_cart(buyer, product, quantity)
    with pytest.raises(InvalidQuantity):
        services.set_quantity(line_of(buyer, product), product, quantity)
    db.session.expire_all()
    assert lines(buyer) == [(product.id, D(1))]


def test_set_quantity_keeps_the_pack_rules(buyer):
    product = make_product(pack_size=D(5))
    services.add_to_cart(buyer, product, D(5))
    adjusted = services.set_quantity(line_of(buyer, product), product, D(11))
    assert adjusted.quantity == D(15)
    assert lines(buyer) == [(product.id, D(15))]


def test_save_for_later_and_back_merge_with_a_line_of_the_same_product(buyer):
    product = make_product(pack_size=D(2))
    services.add_to_cart(buyer, product, D(4))
    services.save_for_later(line_of(buyer, product))
    services.add_to_cart(buyer, product, D(2))
    services.save_for_later(line_of(buyer, product))
    assert lines(buyer) == [] and lines(buyer, saved=True) == [(product.id, D(6))]
    services.add_to_cart(buyer, product, D(2))
    services.move_to_cart(line_of(buyer, product, saved=True))
    assert lines(buyer) == [(product.id, D(8))] and lines(buyer, saved=True) == []


def test_a_repeated_save_or_move_leaves_the_line_as_it_is(buyer):
    product = make_product()
    services.add_to_cart(buyer, product, D(3))
    line = line_of(buyer, product)
    services.move_to_cart(line)  # already in the cart
    assert lines(buyer) == [(product.id, D(3))]
    services.save_for_later(line)
    services.save_for_later(line)
    assert lines(buyer) == [] and lines(buyer, saved=True) == [(product.id, D(3))]


def test_the_count_is_of_cart_lines_not_saved_ones(buyer):
    first, second = make_product(), make_product()
    services.add_to_cart(buyer, first, D(3))
    services.add_to_cart(buyer, second, D(1))
    services.save_for_later(line_of(buyer, second))
    assert cart_count(buyer) == 1


def test_add_many_puts_in_what_it_can_and_says_why_not_for_the_rest(buyer):
    good, packed, retired = make_product(), make_product(pack_size=D(5)), make_product()
    retired.active = False
    result = services.add_many(
        buyer,
        [
            (good, D(2), "good"),
            (packed, D(3), "packed"),
            (retired, D(1), "retired"),
            (good, D("0.5"), "half"),
        ],
    )
    assert [product.id for product, _ in result.added] == [good.id, packed.id]
    assert result.notes == [("packed", "Sold in packs of 5: rounded up to 5.")]
    assert [label for label, _ in result.refused] == ["retired", "half"]
    assert lines(buyer) == [(good.id, D(2)), (packed.id, D(5))]


def test_quick_order_reports_unknown_codes_and_refusals_by_line_number(buyer):
    hinge = make_product(sku="ZAW-1", ean="5901234123457")
    parsed = parse_text("ZAW-1 2\nNOPE 1\n5901234123457 3\nZAW-1 x\nZAW-1 0")
    result = services.add_quick_order(buyer, parsed)
    assert result.added == 2
    assert [(report.number, report.message) for report in result.refused] == [
        (2, "Unknown SKU or EAN “NOPE”."),
        (4, "“x” is not a quantity."),
        (5, "Enter a quantity above zero."),
    ]
    assert lines(buyer) == [(hinge.id, D(5))]


def test_a_saved_line_is_priced_at_its_own_quantity(buyer):
    from tests.builders import add_tier, make_price_list

    price_list = make_price_list()
    buyer.company.price_list_id = price_list.id
    product = make_product(list_price=D("1.00"))
    add_tier(price_list, product, "1", "0.90")
    add_tier(price_list, product, "100", "0.50")
    services.add_to_cart(buyer, product, D(100))
    services.save_for_later(line_of(buyer, product))
    services.add_to_cart(buyer, product, D(1))
    view = cart_view(buyer, Viewer(company=buyer.company, warehouse_id=main_warehouse().id))
    assert [item.quote.unit_net for item in view.items] == [D("0.90")]
    assert [item.quote.unit_net for item in view.saved] == [D("0.50")]
    assert view.totals.net == D("0.90")  # saved items are not part of the order


def test_the_content_key_changes_with_the_cart(buyer):
    viewer = Viewer(company=buyer.company, warehouse_id=main_warehouse().id)
    product = make_product()
    services.add_to_cart(buyer, product, D(1))
    key = cart_view(buyer, viewer).content_key
    assert cart_view(buyer, viewer).content_key == key
    services.add_to_cart(buyer, product, D(1))
    assert cart_view(buyer, viewer).content_key != key


def test_a_list_from_the_cart_holds_the_cart_lines_not_the_saved_ones(buyer):
    kept, parked = make_product(), make_product()
    services.add_to_cart(buyer, kept, D(2))
    services.add_to_cart(buyer, parked, D(1))
    services.save_for_later(line_of(buyer, parked))
    order_list = services.save_cart_as_list(buyer, "  From the cart ")
    assert order_list.name == "From the cart"
    assert [(line.product_id, line.quantity) for line in order_list_lines(order_list)] == [
        (kept.id, D(2))
    ]


def test_create_list_from_past_order_lines_merges_repeated_products(buyer):
    a, b = make_product(), make_product()
    order_list = services.create_list(buyer, "Reorder", [(a.id, D(1)), (b.id, D(2)), (a.id, D(3))])
    assert [(line.product_id, line.quantity) for line in order_list_lines(order_list)] == [
        (a.id, D(4)),
        (b.id, D(2)),
    ]
    with pytest.raises(DomainError):
        services.create_list(buyer, "Empty", [])
    with pytest.raises(DomainError):
        services.create_list(buyer, "   ", [(a.id, D(1))])


def test_adding_to_a_list_merges_and_keeps_positions(buyer):
    a, b = make_product(), make_product(pack_size=D(10))
    order_list = services.create_list(buyer, "Site", [], allow_empty=True)
    services.add_to_list(order_list, a, D(1))
    assert services.add_to_list(order_list, b, D(4)).quantity == D(10)
    services.add_to_list(order_list, a, D(2))
    assert [(line.product_id, line.quantity) for line in order_list_lines(order_list)] == [
        (a.id, D(3)),
        (b.id, D(10)),
    ]


def test_a_new_list_with_a_refused_first_line_is_not_kept(buyer):
    product = make_product()
    with pytest.raises(InvalidQuantity):
        services.add_to_new_list(buyer, "Never", product, D(0))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrderListLine)) == 0
    from portal.cart.models import OrderList

    assert db.session.scalar(sa.select(OrderList).where(OrderList.name == "Never")) is None


def test_emptying_after_an_order_keeps_saved_items_and_bumps_the_generation(buyer):
    ordered, parked = make_product(), make_product()
    services.add_to_cart(buyer, ordered, D(1))
    services.add_to_cart(buyer, parked, D(1))
    services.save_for_later(line_of(buyer, parked))
    cart = services.cart_of(buyer)
    generation = cart.generation
    services.empty_cart_after_order(cart)
    db.session.flush()
    assert lines(buyer) == [] and lines(buyer, saved=True) == [(parked.id, D(1))]
    assert cart.generation == generation + 1
