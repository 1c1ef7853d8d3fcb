"""A buyer on a phone or a tablet logs in, browses, searches and opens a product."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import NARROWEST, assert_no_horizontal_scroll


def test_buyer_logs_in_and_browses_a_category(page, log_in_page):
    log_in_page("buyer@acme.example")
    expect(page.get_by_role("heading", name="Catalog")).to_be_visible()
    page.get_by_role("link", name="Okucia meblowe").first.click()
    expect(page.get_by_role("heading", name="Okucia meblowe")).to_be_visible()
    page.get_by_role("link", name="Uchwyty").first.click()
    expect(page.get_by_role("heading", name="Uchwyty")).to_be_visible()
    expect(page.get_by_text("6 products")).to_be_visible()
    assert_no_horizontal_scroll(page)


def test_buyer_searches_by_text_and_by_sku(page, log_in_page):
    log_in_page("buyer@acme.example")
    search = page.get_by_role("combobox", name="Search")
    search.fill("uchwyt relingowy")
    search.press("Enter")
    expect(page.get_by_text("6 products match “uchwyt relingowy”")).to_be_visible()
    search = page.get_by_role("combobox", name="Search")
    search.fill("ZAW-0003")
    search.press("Enter")
    first = page.get_by_role("listitem").filter(has_text="ZAW-0003").first
    expect(first).to_be_visible()


def test_autocomplete_suggests_while_typing_and_opens_the_product(page, log_in_page):
    log_in_page("buyer@acme.example")
    page.get_by_role("combobox", name="Search").press_sequentially("wkręt", delay=30)
    suggestion = page.get_by_role("option", name=re.compile("Wkrętarka akumulatorowa"))
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.get_by_role("heading", name="Wkrętarka akumulatorowa 18V")).to_be_visible()
    expect(page.get_by_text("In stock: 12")).to_be_visible()


def test_filters_update_the_results_in_place(page, log_in_page):
    log_in_page("buyer@acme.example")
    page.goto("/catalog")
    page.get_by_label("In stock only").check()
    expect(page).to_have_url(re.compile(r"in_stock=1"))
    expect(page.get_by_text("Out of stock").first).to_be_hidden()
    page.get_by_label("Sort by").select_option("-price")
    expect(page).to_have_url(re.compile(r"sort=-price"))
    first_price = page.locator(".product-card .price").first.inner_text()
    assert "379.05" in first_price  # 399.00 less the 5 % discount


def test_product_page_shows_the_partner_price_and_photos(page, log_in_page):
    log_in_page("buyer@acme.example")
    page.goto("/products/ZAW-0001")
    expect(page.get_by_role("heading", name=re.compile("Zawias puszkowy 31 mm"))).to_be_visible()
    # 13.90 list less Acme's 5 % discount = 13.21 net
    expect(page.get_by_text("PLN\u00a013.21").first).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
    expect(page.get_by_role("heading", name="Customers also take")).to_have_count(0)


def test_no_page_scrolls_sideways_at_360px(page, log_in_page):
    page.set_viewport_size(NARROWEST)
    page.goto("/login")
    assert_no_horizontal_scroll(page)
    page.goto("/password/reset")
    assert_no_horizontal_scroll(page)
    log_in_page("owner@acme.example")
    for url in (
        "/catalog",
        "/catalog?q=zawias",
        "/products/ZAW-0002",
        "/account",
        "/company",
        "/company/addresses/new",
        "/no-such-page",
    ):
        page.goto(url)
        assert_no_horizontal_scroll(page)


def test_touch_targets_are_at_least_44px(page, log_in_page):
    log_in_page("buyer@acme.example")
    targets = "main a, main button, main input, main select, header a, header button, summary"
    small = page.evaluate(
        """(targets) => [...document.querySelectorAll(targets)]
              .filter(el => el.offsetParent !== null && !el.closest('.breadcrumbs'))
              .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
              .filter(([, h]) => h < 44 && h > 0)""",
        targets,
    )
    tiny = [item for item in small if "checkbox" not in item[0]]
    assert tiny == [], tiny
