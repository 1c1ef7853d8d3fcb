"""Browsing, searching and reading the catalog at the partner's own prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portal.accounts.models import Role
from tests.builders import (
    add_contract_price,
    add_tier,
    associate,
    make_category,
    make_company,
    make_price_list,
    make_product,
    make_user,
    set_stock,
)


@pytest.fixture
def buyer():
    company = make_company(name="Acme", default_discount=Decimal("10.00"))
    return make_user(role=Role.BUYER, company=company)


def test_buyer_browses_a_category_including_its_subcategories(login, buyer):
    tools = make_category("Tools")
    drills = make_category("Drills", parent=tools)
    make_product(name="Cordless drill 18V", category_id=drills.id)
    make_product(name="Garden hose", category_id=make_category("Garden").id)
    html = login(buyer).get(f"/catalog?category={tools.slug}").get_data(as_text=True)
    assert "Cordless drill 18V" in html
    assert "Garden hose" not in html
    assert ">Drills</a>" in html  # subcategory chip


def test_search_finds_words_in_name_and_description_with_diacritics_folded(login, buyer):
    make_product(name="Zawias puszkowy 35 mm", description="Cichy domyk")
    make_product(name="Uchwyt meblowy", description="Pasuje do zawiasów")
    make_product(name="Wkręt do drewna")
    client = login(buyer)
    html = client.get("/catalog?q=zawias").get_data(as_text=True)
    assert "Zawias puszkowy 35 mm" in html
    assert "Uchwyt meblowy" in html
    assert "Wkręt do drewna" not in html
    assert "Zawias puszkowy" in client.get("/catalog?q=zawiás pusz").get_data(as_text=True)


def test_search_by_exact_sku_and_ean_puts_that_product_first(login, buyer):
    make_product(sku="HNG-0012", name="Hinge small")
    make_product(sku="HNG-00123", name="Hinge big", ean="5901234123457")
    client = login(buyer)
    html = client.get("/catalog?q=HNG-00123").get_data(as_text=True)
    assert "Hinge big" in html
    html = client.get("/catalog?q=5901234123457").get_data(as_text=True)
    assert "Hinge big" in html and "Hinge small" not in html


def test_prices_are_the_partners_own_net_and_gross(login):
    price_list = make_price_list()
    company = make_company(default_discount=Decimal("10.00"), price_list_id=price_list.id)
    buyer = make_user(company=company)
    discounted = make_product(name="Discounted", list_price=Decimal("100.00"))
    listed = make_product(name="Listed", list_price=Decimal("100.00"))
    add_tier(price_list, listed, "1", "80.00")
    contracted = make_product(name="Contracted", list_price=Decimal("100.00"))
    add_contract_price(company, contracted, "70.00")
    client = login(buyer)
    assert "PLN\xa090.00" in client.get(f"/products/{discounted.sku}").get_data(as_text=True)
    assert "PLN\xa080.00" in client.get(f"/products/{listed.sku}").get_data(as_text=True)
    html = client.get(f"/products/{contracted.sku}").get_data(as_text=True)
    assert "PLN\xa070.00" in html
    assert "PLN\xa086.10" in html  # gross at 23 %


def test_product_page_shows_availability_tiers_and_associated_products(login):
    price_list = make_price_list()
    buyer = make_user(company=make_company(price_list_id=price_list.id))
    screw = make_product(name="Screw", stock=5)
    add_tier(price_list, screw, "1", "9.00")
    add_tier(price_list, screw, "100", "7.50")
    dowel = make_product(name="Dowel", stock=500)
    associate(screw, dowel)
    html = login(buyer).get(f"/products/{screw.sku}").get_data(as_text=True)
    assert "Low stock: 5" in html
    assert "Your quantity prices" in html and "PLN\xa07.50" in html
    assert "Customers also take" in html and "Dowel" in html
    assert "Reserved" not in html  # only staff see reservations


def test_staff_see_list_prices_and_reserved_quantities(login):
    staff = make_user(role=Role.STAFF)
    product = make_product(name="Pump", list_price=Decimal("250.00"))
    set_stock(product, on_hand=Decimal("40"), reserved=Decimal("15"))
    html = login(staff).get(f"/products/{product.sku}").get_data(as_text=True)
    assert "List prices are shown" not in html  # product page has no banner
    assert "Reserved" in html and ">15<" in html and ">25<" in html


def test_staff_pick_a_partner_to_see_its_prices(login):
    staff = make_user(role=Role.STAFF)
    company = make_company(name="Globex", default_discount=Decimal("50.00"))
    product = make_product(name="Valve", list_price=Decimal("100.00"))
    client = login(staff)
    assert "List prices are shown" in client.get("/catalog").get_data(as_text=True)
    response = client.post("/catalog/price-view", data={"company_id": company.id})
    assert response.status_code == 303
    html = client.get(f"/products/{product.sku}").get_data(as_text=True)
    assert "PLN\xa050.00" in html


def test_a_rep_cannot_pick_a_partner_that_is_not_theirs(login):
    rep = make_user(role=Role.SALES_REP)
    mine = make_company(sales_rep_id=rep.id)
    other = make_company()
    client = login(rep)
    assert client.post("/catalog/price-view", data={"company_id": other.id}).status_code == 404
    assert client.post("/catalog/price-view", data={"company_id": mine.id}).status_code == 303
    html = client.get("/catalog/price-view").get_data(as_text=True)
    assert mine.name in html and other.name not in html


def test_partners_have_no_price_view(login, buyer):
    assert login(buyer).get("/catalog/price-view").status_code == 404


def test_in_stock_filter_and_sorting_by_price(login, buyer):
    make_product(name="Cheap in stock", list_price=Decimal("1.00"), stock=10)
    make_product(name="Dear in stock", list_price=Decimal("99.00"), stock=10)
    make_product(name="Out of stock thing", list_price=Decimal("5.00"), stock=0)
    client = login(buyer)
    html = client.get("/catalog?in_stock=1&sort=-price").get_data(as_text=True)
    assert "Out of stock thing" not in html
    assert html.index("Dear in stock") < html.index("Cheap in stock")


def test_pagination_moves_through_pages(login, buyer):
    for n in range(30):
        make_product(name=f"Bolt {n:02d}")
    client = login(buyer)
    first = client.get("/catalog?q=bolt&sort=name").get_data(as_text=True)
    second = client.get("/catalog?q=bolt&sort=name&page=2").get_data(as_text=True)
    assert "Bolt 00" in first and "Bolt 29" not in first
    assert "Bolt 29" in second and "Page 2 of 2" in second


def test_htmx_request_gets_only_the_results_fragment(login, buyer):
    make_product(name="Fragment bolt")
    response = login(buyer).get("/catalog?q=fragment", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_autocomplete_suggests_products_while_typing(login, buyer):
    make_product(name="Zawias nakładany", sku="ZAW-1")
    html = login(buyer).get("/catalog/autocomplete?q=zaw").get_data(as_text=True)
    assert "Zawias nakładany" in html and "/products/ZAW-1" in html
    assert "<html" not in html


@pytest.mark.parametrize(
    "query",
    [
        "page=-5",
        "page=abc",
        "page=99999999999999999999",
        "per_page=100000",
        "sort=drop",
        "q=%22%27%3B+DROP+TABLE+products%3B--",
        "q=*",
        "q=AND+OR+NOT",
        "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "q=" + "x" * 5000,
        "in_stock=maybe",
    ],
)
def test_odd_parameters_never_break_the_catalog(login, buyer, query):
    make_product(name="Plain product")
    response = login(buyer).get(f"/catalog?{query}")
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_odd_autocomplete_input_is_harmless(login, buyer):
    client = login(buyer)
    for text in ['"', "'", "*", "NEAR(", "-", "a" * 1000, "%00"]:
        assert client.get("/catalog/autocomplete", query_string={"q": text}).status_code == 200


def test_unknown_product_and_category_answer_a_friendly_404(login, buyer):
    client = login(buyer)
    response = client.get("/products/NO-SUCH-SKU")
    assert response.status_code == 404
    assert "We can't find that page" in response.get_data(as_text=True)
    assert client.get("/catalog?category=nope").status_code == 404


def test_inactive_products_are_not_sold(login, buyer):
    product = make_product(name="Retired widget", active=False)
    client = login(buyer)
    assert client.get(f"/products/{product.sku}").status_code == 404
    assert "Retired widget" not in client.get("/catalog?q=retired").get_data(as_text=True)


def test_catalog_needs_a_login(client):
    response = client.get("/catalog")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_queries_per_catalog_page_do_not_grow_with_catalog_or_page_size(
    login, buyer, count_queries
):
    client = login(buyer)
    category = make_category("Bulk")
    product = make_product(name="Nut 0", category_id=category.id, stock=3)
    associate(product, make_product(name="Washer 0"))
    urls = (
        "/catalog?per_page=24",
        "/catalog?per_page=96",
        "/catalog?q=nut&per_page=96",
        f"/catalog?category={category.slug}&sort=price",
        f"/products/{product.sku}",
        "/catalog/autocomplete?q=nut",
    )

    def counts() -> list[int]:
        result = []
        for url in urls:
            count_queries.statements.clear()
            assert client.get(url).status_code == 200
            result.append(count_queries.count)
        return result

    client.get("/catalog")
    small = counts()
    for n in range(1, 80):
        extra = make_product(name=f"Nut extra {n}", category_id=category.id, stock=3)
        associate(extra, make_product(name=f"Washer {n}"))
        if n < 8:
            associate(product, extra)
    assert counts() == small
    assert max(small) <= 12, small
