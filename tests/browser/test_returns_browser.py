"""Returns on a phone: a buyer files a return with a photo and gets the RMA number and slip;
the warehouse receives and inspects an approved RMA."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.browser.test_backoffice_browser import assert_fits, log_in, shoot


@pytest.fixture(params=[PHONE], ids=["phone-390x844"])
def browser_context_args(request: pytest.FixtureRequest, base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "viewport": request.param,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
    }


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), "#b45309").save(buffer, "JPEG")
    return buffer.getvalue()


def delivered(app: Flask) -> dict[str, Any]:
    from portal.core.db import db
    from tests.services.returns.test_handling import delivered_order

    with app.app_context():
        found = delivered_order(("10.00", "5"))
        db.session.commit()
        return {
            "buyer": found.buyer.email,
            "order_id": found.order.id,
            "line_id": found.note_lines[0].id,
        }


def test_buyer_files_a_return_with_a_photo_on_a_phone(page, live_app):
    data = delivered(live_app)
    log_in(page, data["buyer"])
    page.goto(f"/returns/new?order={data['order_id']}")
    expect(page.get_by_role("heading", name="Return or complain about goods")).to_be_visible()
    assert_fits(page)

    line = page.locator(f"#line-{data['line_id']}")
    line.get_by_label("Claim this line").check()
    line.get_by_label("Quantity").fill("2")
    reason = line.get_by_label("Reason")
    reason.select_option(index=1)
    line.get_by_label("Description").fill("Ordered too many.")
    line.get_by_label("What would you like us to do?").select_option(index=1)
    line.get_by_label("Photos").set_input_files(
        {"name": "box.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    assert_fits(page)
    shoot(page, "2-return-form-phone")
    page.get_by_role("button", name="Submit").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^RMA/\d{4}/\d{6}$"))
    assert heading.bounding_box()["y"] < 844, "the RMA number is not on the first screen"
    number = heading.inner_text()
    expect(page.get_by_text(f"Thank you! {number} is submitted.")).to_be_visible()
    slip = page.get_by_role("link", name="Download return slip")
    expect(slip).to_be_visible()
    assert re.search(r"/returns/\d+/slip\.pdf$", slip.get_attribute("href") or "")
    assert_fits(page)
    shoot(page, "2-return-filed-phone")


def approved_rma(app: Flask) -> dict[str, Any]:
    from portal.core.db import db
    from portal.returns import handling
    from portal.returns.models import Resolution
    from tests.services.returns.test_handling import delivered_order, make_rma, staff_member

    with app.app_context():
        rma = make_rma(delivered_order(("10.00", "5")), (0, "2", Resolution.REFUND))
        staff = staff_member()
        handling.approve(rma, actor=staff, instructions="Send it to our warehouse.")
        db.session.commit()
        [claim] = handling.claim_lines(rma)
        return {"id": rma.id, "number": rma.number, "line_id": claim.line.id, "staff": staff.email}


def rma_status(app: Flask, rma_id: int) -> str:
    from portal.core.db import db
    from portal.documents.models import Document
    from tests.services.returns.test_handling import info

    with app.app_context():
        return info(db.session.get_one(Document, rma_id)).status.value


def test_warehouse_receives_and_inspects_an_rma_on_a_phone(page, live_app):
    rma = approved_rma(live_app)
    log_in(page, rma["staff"])
    page.goto(f"/office/returns/{rma['id']}/receive")
    expect(page.get_by_role("heading", name=rma["number"])).to_be_visible()
    status = page.locator("main .status").first
    expect(status).to_have_text("Approved")
    expect(page.locator(f"#quantity-{rma['line_id']}")).to_have_value("2")
    assert_fits(page)
    page.get_by_role("button", name="Received").click()

    expect(status).to_have_text("Received")
    line = page.get_by_role("group").filter(has=page.locator(f"#accepted-{rma['line_id']}"))
    line.get_by_label("Accepted quantity").fill("2")
    line.get_by_label("Condition").select_option("resellable")
    line.get_by_label("Notes").fill("Sealed box")
    line.get_by_label("Photos").set_input_files(
        {"name": "box.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    assert_fits(page)
    shoot(page, "3-inspect-phone")
    page.get_by_role("button", name="Save the inspection and book the stock").click()

    expect(status).to_have_text("Inspected")
    assert rma_status(live_app, rma["id"]) == "inspected"
    assert_fits(page)
    shoot(page, "3-inspected-phone")
