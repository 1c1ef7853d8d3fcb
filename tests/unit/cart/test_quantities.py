"""Quantity rules and the stepper, without an app or a database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.cart.quantities import (
    InvalidQuantity,
    normalise_addition,
    normalise_quantity,
    plain,
    stepped,
)
from portal.catalog.models import Product, Unit

D = Decimal


def product(unit=Unit.PIECE, pack="1", minimum="1"):
    return Product(unit=unit, pack_size=D(pack), min_order_quantity=D(minimum), name="P")


@pytest.mark.parametrize(
    ("change", "typed", "expected"),
    [
        ("up", D(20), D(30)),
        ("down", D(20), D(10)),
        ("up", None, D(50)),  # nothing usable typed: one pack from the line's quantity
        ("set", D(7), D(7)),
        (None, D(7), D(7)),
        ("sideways", D(7), D(7)),
    ],
)
def test_the_stepper_moves_one_pack_from_what_is_shown(change, typed, expected):
    assert stepped(product(pack="10"), D(40), typed, change) == expected


@given(
    st.decimals(min_value=D("0.001"), max_value=D(99_999), places=3),
    st.sampled_from(["1", "0.5", "0.25", "6", "12"]),
    st.sampled_from(["1", "2.5", "24"]),
)
def test_a_normalised_quantity_is_whole_packs_at_least_the_minimum(requested, pack, minimum):
    rules = product(Unit.KILOGRAM, pack, minimum)
    adjusted = normalise_quantity(rules, requested)
    assert adjusted.quantity >= max(requested, rules.min_order_quantity)
    assert (adjusted.quantity / rules.pack_size) == (
        adjusted.quantity / rules.pack_size
    ).to_integral()
    assert (adjusted.note is None) == (adjusted.quantity == requested)


@given(
    st.integers(min_value=1, max_value=500),
    st.integers(min_value=1, max_value=500),
    st.sampled_from(["1", "5", "12"]),
)
def test_adding_to_a_line_in_packs_keeps_it_in_packs(packs, requested, pack):
    rules = product(pack=pack)
    current = D(packs) * rules.pack_size
    added = normalise_addition(rules, current, D(requested))
    assert added.quantity >= requested
    total = current + added.quantity
    assert total % rules.pack_size == 0
    assert added.quantity - requested < rules.pack_size


@pytest.mark.parametrize("requested", [D("1.5"), D(0), D(-2), None, D("1e6")])
def test_pieces_refuse_what_cannot_be_ordered(requested):
    with pytest.raises(InvalidQuantity):
        normalise_quantity(product(), requested)


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("20.000"), "20"), (D("1.500"), "1.5"), (D("100"), "100"), (D("0.001"), "0.001")],
)
def test_plain_quantities_for_inputs(value, text):
    assert plain(value) == text
