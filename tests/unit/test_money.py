from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from portal.core.money import (
    Cents,
    Thousandths,
    apply_discount,
    gross_of,
    net_line,
    parse_decimal,
    round_money,
    vat_from_gross,
    vat_from_net,
)

DIALECT = sqlite.dialect()


def test_rounding_is_half_up_to_the_grosz():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("0.004")) == Decimal("0.00")
    assert round_money(Decimal("-0.005")) == Decimal("-0.01")
    assert round_money(Decimal("2.675")) == Decimal("2.68")


def test_vat_from_net_and_gross():
    assert vat_from_net(Decimal("100.00"), Decimal("23")) == Decimal("23.00")
    assert gross_of(Decimal("10.99"), Decimal("23")) == Decimal("13.52")
    assert vat_from_gross(Decimal("123.00"), Decimal("23")) == Decimal("23.00")
    assert net_line(Decimal("3.33"), Decimal("3")) == Decimal("9.99")
    assert apply_discount(Decimal("10.00"), Decimal("12.5")) == Decimal("8.75")


def test_cents_column_refuses_unrounded_amounts():
    with pytest.raises(ValueError, match="decimal places"):
        Cents().process_bind_param(Decimal("1.005"), DIALECT)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_cents_round_trip_exactly(value):
    column = Cents()
    assert column.process_result_value(column.process_bind_param(value, DIALECT), DIALECT) == value


@given(st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False))
def test_quantities_round_trip_with_three_decimals(value):
    column = Thousandths()
    assert column.process_result_value(column.process_bind_param(value, DIALECT), DIALECT) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12"),
        ("1 234,50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("0,5", "0.5"),
        ("abc", None),
        ("NaN", None),
    ],
)
def test_user_numbers_parse_in_polish_and_english_notation(text, value):
    assert parse_decimal(text) == (Decimal(value) if value else None)
