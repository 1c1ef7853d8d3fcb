"""Staff in the back office on a phone: pick and pack an order by scanning its EAN; at tablet
size a partner reads documents and the statement while staff filter all documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, TABLET

SHOTS = Path("/tmp/shots")
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


@pytest.fixture(params=[PHONE], ids=["phone-390x844"])
def browser_context_args(request: pytest.FixtureRequest, base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "viewport": request.param,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
    }


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def widest(page) -> str:  # type: ignore[no-untyped-def]
    """The deepest element sticking out on the right, for the failure message."""
    return page.evaluate(
        """() => { const w = window.innerWidth; let found = '';
          for (const el of document.querySelectorAll('body *')) {
            if (el.getBoundingClientRect().right > w + 1) {
              const classes = typeof el.className === 'string' ? el.className.trim() : '';
              found = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
            }
          } return found; }"""
    )


def assert_fits(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate(FITS), f"{page.url} overflows sideways: {widest(page)}"


def confirmed_order(app: Flask) -> dict[str, Any]:
    from portal.accounts.models import Role
    from portal.core.db import db
    from portal.fulfilment import services as fulfilment
    from portal.orders.models import PaymentMethod
    from tests.builders import make_company, make_user
    from tests.services.invoicing.helpers import order_of, set_up_seller, stocked_product

    with app.app_context():
        set_up_seller()
        buyer = make_user(role=Role.BUYER, company=make_company(name="Skan i Syn Sp. z o.o."))
        product = stocked_product(price="10.00", quantity="20")
        product.ean = f"20{product.id:011d}"
        order = order_of(buyer, (product, "2"), payment_method=PaymentMethod.ON_ACCOUNT)
        staff = make_user(role=Role.STAFF, name="Piotr Skaner")
        fulfilment.confirm(order, actor=staff)
        db.session.commit()
        return {
            "id": order.id,
            "number": order.number,
            "ean": product.ean,
            "sku": product.sku,
            "staff": staff.email,
        }


def test_warehouse_picks_by_scanning_and_packs_on_a_phone(page, live_app):
    order = confirmed_order(live_app)
    log_in(page, order["staff"])
    page.goto("/office/orders?q=" + order["number"])
    page.locator(".order-row a").filter(has_text=order["number"]).click()
    expect(page.get_by_role("heading", name=f"Order {order['number']}")).to_be_visible()
    page.get_by_role("link", name="Pick and pack").click()
    page.wait_for_url(f"**/office/orders/{order['id']}/pick")
    assert_fits(page)

    picked = page.get_by_label(f"Picked of {order['sku']}")
    expect(picked).to_have_value("0")
    scan = page.get_by_label("Scan or type SKU / EAN")
    expect(scan).to_be_focused()
    scan.fill(order["ean"])
    scan.press("Enter")
    expect(page.get_by_role("status")).to_have_text(f"{order['sku']}: 1 of 2")
    expect(picked).to_have_value("1")
    scan.fill(order["ean"])
    page.get_by_role("button", name="Add one").click()
    expect(picked).to_have_value("2")
    scan.fill(order["ean"])
    scan.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("already picked in full")
    assert_fits(page)
    shoot(page, "1-pick-phone")

    page.get_by_label("Carrier").select_option("demo")
    page.get_by_role("button", name="Pack and issue delivery note").click()
    page.wait_for_url(f"**/office/orders/{order['id']}")
    expect(page.get_by_text(re.compile(r"Packed\. Delivery note issued"))).to_be_visible()
    documents = page.get_by_role("region", name="Documents and shipments")
    expect(documents.get_by_text(re.compile(r"Delivery note WZ/"))).to_be_visible()
    expect(documents.locator(".tracking")).to_have_text(re.compile(r"\S{6,}"))
    assert_fits(page)
    shoot(page, "1-packed-phone")


def partner_with_documents(app: Flask) -> dict[str, Any]:
    from portal.core.db import db
    from tests.services.returns.test_handling import delivered_order, staff_member

    with app.app_context():
        delivered = delivered_order(("10.00", "3"))
        staff = staff_member()
        db.session.commit()
        assert delivered.invoice is not None
        return {
            "buyer": delivered.buyer.email,
            "invoice": delivered.invoice.number,
            "invoice_kind": delivered.invoice.kind.value,
            "note": delivered.note.number,
            "staff": staff.email,
        }


def test_partner_reads_documents_and_staff_filter_them_on_a_tablet(browser, base_url, live_app):
    data = partner_with_documents(live_app)
    context = browser.new_context(
        base_url=base_url, viewport=TABLET, is_mobile=True, has_touch=True, locale="en-GB"
    )
    try:
        partner = context.new_page()
        log_in(partner, data["buyer"])
        partner.goto("/documents")
        expect(partner.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
        expect(partner.get_by_text(data["invoice"]).first).to_be_visible()
        assert_fits(partner)
        partner.get_by_role("link", name="Account statement").click()
        expect(partner.get_by_role("heading", name=re.compile("Account statement"))).to_be_visible()
        expect(partner.get_by_text(data["invoice"]).first).to_be_visible()
        assert_fits(partner)
        shoot(partner, "4-statement-tablet")
    finally:
        context.close()

    context = browser.new_context(
        base_url=base_url, viewport=TABLET, is_mobile=True, has_touch=True, locale="en-GB"
    )
    try:
        staff = context.new_page()
        log_in(staff, data["staff"])
        staff.goto("/office/documents")
        expect(staff.get_by_role("heading", name="Documents", exact=True)).to_be_visible()
        staff.get_by_label("Kind").select_option("WZ")  # htmx swaps the list on change
        staff.wait_for_url(re.compile(r"kind=WZ"))
        rows = staff.locator("#documents .order-row")
        expect(rows.first).to_be_visible()
        numbers = rows.locator("strong").all_inner_texts()
        assert numbers and all(number.startswith("WZ/") for number in numbers), numbers
        expect(rows.filter(has_text=data["note"])).to_have_count(1)
        assert_fits(staff)
        shoot(staff, "4-office-documents-tablet")
    finally:
        context.close()


def test_the_scan_field_is_emptied_and_focused_for_the_next_scan(page, live_app):
    order = confirmed_order(live_app)
    log_in(page, order["staff"])
    page.goto(f"/office/orders/{order['id']}/pick")
    scan = page.get_by_label("Scan or type SKU / EAN")
    scan.fill(order["ean"])
    scan.press("Enter")
    expect(page.get_by_label(f"Picked of {order['sku']}")).to_have_value("1")
    expect(scan).to_have_value("", timeout=1000)
    expect(scan).to_be_focused(timeout=1000)
