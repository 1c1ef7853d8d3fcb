"""Exact money and quantities: Decimal in Python, integers in the database.

Rounding rule (DOMAIN.md): amounts to 0.01, half up. Unit prices are rounded; a line's net is
price x quantity, rounded; per VAT rate, VAT = net sum x rate, rounded once; gross = net + VAT.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
ZERO = Decimal("0.00")


def round_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str) -> Decimal | None:
    """A user's number: '1 234,50' and '1234.50' both work; anything else is None."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _ScaledInteger(sa.types.TypeDecorator[Decimal]):
    """A Decimal stored as an integer count of 10**-scale units; refuses unrounded values."""

    impl = sa.BigInteger
    cache_ok = True
    scale = 2

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        value = Decimal(value)
        units = value.scaleb(self.scale)
        if units != units.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(units)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)

    def process_literal_param(self, value: Any, dialect: sa.Dialect) -> str:
        bound = self.process_bind_param(value, dialect)
        return "NULL" if bound is None else str(bound)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class Cents(_ScaledInteger):
    """Money: integer hundredths (PLN grosze)."""

    cache_ok = True
    scale = 2


class Thousandths(_ScaledInteger):
    """Quantities: whole pieces, or up to 3 decimals for kg and m."""

    cache_ok = True
    scale = 3


class BasisPoints(_ScaledInteger):
    """Percentages such as VAT 23.00 % or a 12.5 % discount, stored in hundredths."""

    cache_ok = True
    scale = 2


Money = Annotated[Decimal, mapped_column(Cents())]
Quantity = Annotated[Decimal, mapped_column(Thousandths())]
Percent = Annotated[Decimal, mapped_column(BasisPoints())]


def net_line(unit_price: Decimal, quantity: Decimal) -> Decimal:
    return round_money(unit_price * quantity)


def vat_from_net(net: Decimal, rate_percent: Decimal) -> Decimal:
    return round_money(net * rate_percent / 100)


def vat_from_gross(gross: Decimal, rate_percent: Decimal) -> Decimal:
    """Receipts (PA) are computed from gross: VAT is extracted per rate."""
    return round_money(gross * rate_percent / (100 + rate_percent))


def gross_of(net: Decimal, rate_percent: Decimal) -> Decimal:
    return net + vat_from_net(net, rate_percent)


def apply_discount(amount: Decimal, percent: Decimal) -> Decimal:
    return round_money(amount * (100 - percent) / 100)


def sum_of(column: Any) -> Any:
    """SUM of a scaled column, zero when there are no rows, read back as an exact Decimal."""
    column_type = column.type if isinstance(column.type, _ScaledInteger) else Cents()
    return sa.type_coerce(sa.func.coalesce(sa.func.sum(column), 0), column_type)
