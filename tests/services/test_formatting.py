"""The fast number formats agree with Babel's in every language the portal speaks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from portal.core.templating import amount, money, quantity

numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False)


@pytest.mark.parametrize("language", ["en", "pl", "de"])
@given(value=numbers)
def test_quantities_and_money_match_babel(app, language, value):
    with app.test_request_context(), force_locale(language):
        normal = value.normalize() if value == value.to_integral_value() else value
        assert quantity(value) == format_decimal(normal, format="#,##0.###", locale=language)
        cents = value.quantize(Decimal("0.01"))
        if cents == 0:
            cents = abs(cents)  # Babel prints "-0,00" for a negative zero; amounts never are
        if language == "en":
            expected = format_currency(cents, "PLN", format="¤¤\u00a0#,##0.00", locale="en")
        else:
            expected = format_currency(cents, "PLN", locale=language)
        assert money(cents) == expected
        assert amount(cents) == format_decimal(cents, format="#,##0.00", locale=language)


@pytest.mark.parametrize("language", ["en", "pl", "de"])
@given(day=st.dates(), style=st.sampled_from(["short", "medium", "long"]))
def test_dates_match_babel(app, language, day, style):
    from flask_babel import format_date

    from portal.core.templating import when

    with app.test_request_context(), force_locale(language):
        assert when(day, style) == format_date(day, style)
