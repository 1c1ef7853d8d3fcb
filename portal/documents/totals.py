"""Totals per VAT rate, as DOMAIN.md rounds them.

From net (invoices, orders): per rate, net = sum of line nets, VAT = net x rate rounded once,
gross = net + VAT. From gross (receipts): per rate, VAT is extracted from the gross sum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from portal.core.money import ZERO, vat_from_gross, vat_from_net


@dataclass(frozen=True)
class RateTotal:
    vat_percent: Decimal
    net: Decimal
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


@dataclass(frozen=True)
class Totals:
    rates: tuple[RateTotal, ...]

    @property
    def net(self) -> Decimal:
        return sum((rate.net for rate in self.rates), ZERO)

    @property
    def vat(self) -> Decimal:
        return sum((rate.vat for rate in self.rates), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat


def totals_from_net(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """lines: (line net, VAT percent)."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for net, percent in lines:
        by_rate[percent] += net
    return Totals(
        tuple(
            RateTotal(percent, net, vat_from_net(net, percent))
            for percent, net in sorted(by_rate.items(), reverse=True)
        )
    )


def totals_from_gross(lines: Iterable[tuple[Decimal, Decimal]]) -> Totals:
    """lines: (line gross, VAT percent)."""
    by_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for gross, percent in lines:
        by_rate[percent] += gross
    rates = []
    for percent, gross in sorted(by_rate.items(), reverse=True):
        vat = vat_from_gross(gross, percent)
        rates.append(RateTotal(percent, gross - vat, vat))
    return Totals(tuple(rates))
