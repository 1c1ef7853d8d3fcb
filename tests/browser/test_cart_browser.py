"""A buyer on a phone or a tablet fills the cart, steps quantities and parks a line."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import NARROWEST, assert_no_horizontal_scroll


def stays_on_the_page(page):  # type: ignore[no-untyped-def]
    """Marks the document; the mark survives only if nothing reloads the page."""
    page.evaluate("() => { window.__noReload = true; }")
    return lambda: page.evaluate("() => window.__noReload === true")


def test_buyer_adds_steps_saves_for_later_and_moves_back(page, log_in_page, buyer_email):
    log_in_page(buyer_email)
    expect(page.get_by_role("link", name="Cart, 0 items")).to_be_visible()
    same_page = stays_on_the_page(page)
    card = page.get_by_role("listitem").filter(has_text="UCH-0000")
    card.get_by_role("button", name="Add to cart").click()
    expect(card.get_by_text("Added 1 pcs")).to_be_visible()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    assert same_page(), "adding to the cart reloaded the catalog"

    page.get_by_role("link", name="Cart, 1 item").click()
    expect(page.get_by_role("heading", name="Cart", exact=True)).to_be_visible()
    quantity = page.get_by_label(re.compile("Quantity of Uchwyt meblowy relingowy 96 mm"))
    expect(quantity).to_have_value("1")
    same_page = stays_on_the_page(page)
    page.get_by_role("button", name=re.compile("Increase quantity of Uchwyt")).click()
    expect(quantity).to_have_value("2")
    expect(page.get_by_text("The quantity of Uchwyt meblowy relingowy 96 mm is")).to_be_visible()
    quantity.fill("5")
    # Enter sets the typed number (it is not the "−" button). The field shows 5 before the
    # server answers: wait for the answer, or the next tap races the swap.
    with page.expect_response(lambda r: "/cart/lines/" in r.url and r.request.method == "POST"):
        quantity.press("Enter")
    expect(quantity).to_have_value("5")
    page.get_by_role("button", name=re.compile("Decrease quantity of Uchwyt")).click()
    expect(quantity).to_have_value("4")
    assert same_page(), "the stepper reloaded the page"

    page.get_by_role("button", name="Save for later").click()
    saved = page.get_by_role("region", name="Saved for later")
    expect(saved.get_by_role("button", name="Move to cart")).to_be_visible()
    expect(page.get_by_text("Your cart is empty.")).to_be_visible()
    expect(page.get_by_role("link", name="Cart, 0 items")).to_be_visible()
    saved.get_by_role("button", name="Move to cart").click()
    expect(quantity).to_have_value("4")
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    expect(saved.get_by_role("button", name="Move to cart")).to_have_count(0)
    assert same_page()

    page.reload()  # server-side: it is all still there
    expect(page.get_by_label(re.compile("Quantity of Uchwyt"))).to_have_value("4")


def test_a_bad_quantity_is_explained_next_to_its_line(page, log_in_page, buyer_email):
    log_in_page(buyer_email)
    page.goto("/products/WKR-0001")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    page.goto("/cart")
    quantity = page.get_by_label(re.compile("Quantity of Wkrętarka"))
    quantity.fill("1.5")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("pcs are sold whole: enter a whole number.")
    expect(quantity).to_have_value("1.5")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    quantity.fill("12")
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_text("Only 12 available")).to_have_count(0)
    quantity.fill("13")
    quantity.press("Enter")
    expect(page.get_by_text("Only 12 available: the rest will be a backorder")).to_be_visible()


def test_buyer_adds_from_the_autocomplete(page, log_in_page, buyer_email):
    log_in_page(buyer_email)
    page.get_by_role("combobox", name="Search").press_sequentially("wkręt", delay=30)
    suggestions = page.get_by_role("listbox", name="Suggestions")
    suggestions.get_by_role("button", name="Add to cart").first.click()
    expect(suggestions.get_by_text("Added 1 pcs")).to_be_visible()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()


def test_cart_pages_fit_a_360px_phone_with_large_touch_targets(page, log_in_page, buyer_email):
    log_in_page(buyer_email)
    for sku in ("ZAW-0001", "UCH-0002", "WKR-0001"):
        page.goto(f"/products/{sku}")
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_text("Added 1 pcs")).to_be_visible()
    page.goto("/cart")
    page.get_by_role("button", name="Save for later").first.click()
    expect(page.get_by_role("button", name="Move to cart")).to_be_visible()
    page.set_viewport_size(NARROWEST)
    for url in ("/cart", "/quick-order", "/lists", "/catalog", "/products/ZAW-0001"):
        page.goto(url)
        assert_no_horizontal_scroll(page)
    page.goto("/cart")
    small = page.evaluate(
        """() => [...document.querySelectorAll('main a, main button, main input, header a')]
              .filter(el => el.offsetParent !== null && !el.closest('.breadcrumbs'))
              .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
              .filter(([, h]) => h < 44 && h > 0)"""
    )
    assert small == []
