"""Price resolution: one pure function, and a book that loads a page's prices in two queries.

For a partner and a product (DOMAIN.md "Prices"): the partner's contract price, else the
partner's price list at the highest quantity tier reached, else the list price less the
partner's default discount. All prices are net per unit, rounded half up to 0.01.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company
from portal.catalog.models import ContractPrice, PriceListTier, Product
from portal.core.db import db, table_of
from portal.core.money import ZERO, apply_discount, gross_of, round_money


class PriceSource(enum.StrEnum):
    CONTRACT = "contract"
    PRICE_LIST = "price_list"
    DISCOUNT = "discount"
    LIST = "list"


@dataclass(frozen=True)
class Tier:
    min_quantity: Decimal
    price: Decimal


def resolve_price(
    *,
    list_price: Decimal,
    quantity: Decimal,
    contract_price: Decimal | None = None,
    tiers: Sequence[Tier] = (),
    default_discount: Decimal = ZERO,
) -> tuple[Decimal, PriceSource]:
    """The partner's net unit price for this quantity, and which rule gave it."""
    if contract_price is not None:
        return round_money(contract_price), PriceSource.CONTRACT
    reached = [tier for tier in tiers if tier.min_quantity <= quantity]
    if reached:
        best = max(reached, key=lambda tier: tier.min_quantity)
        return round_money(best.price), PriceSource.PRICE_LIST
    if default_discount > 0:
        return apply_discount(list_price, default_discount), PriceSource.DISCOUNT
    return round_money(list_price), PriceSource.LIST


@dataclass(frozen=True)
class PriceQuote:
    unit_net: Decimal
    list_net: Decimal
    source: PriceSource
    vat_percent: Decimal
    tiers: tuple[Tier, ...] = field(default=())

    @property
    def unit_gross(self) -> Decimal:
        return gross_of(self.unit_net, self.vat_percent)

    @property
    def is_special(self) -> bool:
        return self.unit_net < self.list_net


# Every page with prices runs these: built once, as building a statement costs about as much
# Python as running it; of the tables, as columns need none of the ORM's work. `ids` expands
# to the list given.
_CONTRACT = table_of(ContractPrice)
_TIER = table_of(PriceListTier)
_CONTRACTS = sa.select(_CONTRACT.c.product_id, _CONTRACT.c.price).where(
    _CONTRACT.c.company_id == sa.bindparam("company"),
    _CONTRACT.c.product_id.in_(sa.bindparam("ids", expanding=True)),
)
_TIERS = (
    sa.select(_TIER.c.product_id, _TIER.c.min_quantity, _TIER.c.price)
    .where(
        _TIER.c.price_list_id == sa.bindparam("price_list"),
        _TIER.c.product_id.in_(sa.bindparam("ids", expanding=True)),
    )
    .order_by(_TIER.c.min_quantity)
)


class PriceBook:
    """Prices for one company (or list prices without one), loaded in bulk per page."""

    def __init__(self, company: Company | None) -> None:
        self.company = company

    def quotes(
        self,
        products: Iterable[Product],
        quantities: dict[int, Decimal] | None = None,
        *,
        contracts: dict[int, Decimal] | None = None,
    ) -> dict[int, PriceQuote]:
        """`contracts`: the company's contract prices of these products, when the caller read
        them along with the products (the cart does); otherwise they are read here."""
        products = list(products)
        ids = [product.id for product in products]
        tiers: dict[int, list[Tier]] = defaultdict(list)
        company = self.company
        if contracts is None:
            contracts = {}
            if company is not None and ids:
                contracts = {
                    row.product_id: row.price
                    for row in db.session.execute(_CONTRACTS, {"company": company.id, "ids": ids})
                }
        if company is not None and company.price_list_id is not None and ids:
            for row in db.session.execute(
                _TIERS, {"price_list": company.price_list_id, "ids": ids}
            ):
                tiers[row.product_id].append(Tier(row.min_quantity, row.price))
        discount = company.default_discount if company is not None else ZERO
        result = {}
        for product in products:
            quantity = (quantities or {}).get(product.id, product.min_order_quantity)
            unit, source = resolve_price(
                list_price=product.list_price,
                quantity=quantity,
                contract_price=contracts.get(product.id),
                tiers=tiers.get(product.id, ()),
                default_discount=discount,
            )
            result[product.id] = PriceQuote(
                unit_net=unit,
                list_net=product.list_price,
                source=source,
                vat_percent=product.vat_rate.percent,
                tiers=tuple(tiers.get(product.id, ())) if product.id not in contracts else (),
            )
        return result

    def quote(self, product: Product, quantity: Decimal | None = None) -> PriceQuote:
        quantities = {product.id: quantity} if quantity is not None else None
        return self.quotes([product], quantities)[product.id]
