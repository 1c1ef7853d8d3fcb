"""A buyer on a phone or a tablet checks out, sees the order and cancels it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import NARROWEST, assert_no_horizontal_scroll


def test_buyer_checks_out_and_cancels_the_order(page, log_in_page, buyer_email):
    log_in_page(buyer_email)
    page.goto("/products/WKR-0001")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("link", name="Cart, 1 item")).to_be_visible()
    page.goto("/cart")
    page.get_by_role("link", name="Checkout").click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    page.set_viewport_size(NARROWEST)
    assert_no_horizontal_scroll(page)
    page.get_by_text("Pickup at our warehouse").click()
    page.get_by_label("Your order reference (PO)").fill("PO-PHONE-1")
    page.get_by_text("Bank transfer in advance").click()
    page.get_by_role("button", name="Place order").click()
    heading = page.get_by_role("heading", name=re.compile(r"Order ZK.[0-9]{4}.[0-9]{2}.[0-9]{4}"))
    expect(heading).to_be_visible()
    expect(page.get_by_text("PO-PHONE-1")).to_be_visible()
    expect(page.get_by_text("awaiting payment")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Cancel order").click()
    expect(page.locator(".doc-header .status")).to_have_text("Cancelled")
    page.get_by_role("link", name="Orders").first.click()
    expect(page.get_by_role("heading", name="My orders")).to_be_visible()
    assert_no_horizontal_scroll(page)
