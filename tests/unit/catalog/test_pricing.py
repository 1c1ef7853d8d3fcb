"""Price resolution: contract price > price list with tiers > list less default discount."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.catalog.pricing import PriceSource, Tier, resolve_price

D = Decimal
TIERS = (Tier(D("1"), D("9.20")), Tier(D("10"), D("8.80")), Tier(D("50"), D("8.40")))


def test_list_price_without_any_partner_terms():
    assert resolve_price(list_price=D("10.00"), quantity=D("1")) == (D("10.00"), PriceSource.LIST)


def test_default_discount_applies_to_the_list_price_and_rounds_half_up():
    assert resolve_price(list_price=D("9.99"), quantity=D("1"), default_discount=D("5")) == (
        D("9.49"),
        PriceSource.DISCOUNT,
    )


def test_price_list_beats_the_discount_and_uses_the_highest_tier_reached():
    def price(quantity: str) -> tuple[D, PriceSource]:
        return resolve_price(
            list_price=D("10.00"), quantity=D(quantity), tiers=TIERS, default_discount=D("20")
        )

    assert price("1") == (D("9.20"), PriceSource.PRICE_LIST)
    assert price("9") == (D("9.20"), PriceSource.PRICE_LIST)
    assert price("10") == (D("8.80"), PriceSource.PRICE_LIST)
    assert price("500") == (D("8.40"), PriceSource.PRICE_LIST)


def test_quantity_below_the_first_tier_falls_back_to_the_discount():
    tiers = (Tier(D("10"), D("8.00")),)
    assert resolve_price(
        list_price=D("10.00"), quantity=D("5"), tiers=tiers, default_discount=D("10")
    ) == (
        D("9.00"),
        PriceSource.DISCOUNT,
    )


def test_contract_price_beats_everything_even_when_higher():
    assert resolve_price(
        list_price=D("10.00"),
        quantity=D("100"),
        contract_price=D("9.95"),
        tiers=TIERS,
        default_discount=D("50"),
    ) == (D("9.95"), PriceSource.CONTRACT)


money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


@given(
    list_price=money,
    quantity=st.decimals(min_value=D("0.001"), max_value=10_000, places=3),
    discount=st.decimals(min_value=0, max_value=100, places=2),
    contract=st.none() | money,
    tier_prices=st.lists(
        st.tuples(st.integers(1, 1000), money), max_size=4, unique_by=lambda t: t[0]
    ),
)
def test_resolved_price_is_always_rounded_and_follows_the_precedence(
    list_price, quantity, discount, contract, tier_prices
):
    tiers = [Tier(D(q), p) for q, p in tier_prices]
    price, source = resolve_price(
        list_price=list_price,
        quantity=quantity,
        contract_price=contract,
        tiers=tiers,
        default_discount=discount,
    )
    assert price == price.quantize(D("0.01"))
    assert price >= 0
    reached = [t for t in tiers if t.min_quantity <= quantity]
    if contract is not None:
        assert (price, source) == (contract, PriceSource.CONTRACT)
    elif reached:
        assert source is PriceSource.PRICE_LIST
        assert price == max(reached, key=lambda t: t.min_quantity).price
    elif discount > 0:
        assert source is PriceSource.DISCOUNT
        assert price <= list_price
    else:
        assert (price, source) == (list_price, PriceSource.LIST)
