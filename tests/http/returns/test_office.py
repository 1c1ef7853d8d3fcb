"""Staff handle returns and complaints in the office: the queue, one RMA, the phone-sized
receiving and inspection screen, the report, and the admin's policy and rules."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.clock import local_today
from portal.core.db import db
from portal.documents.models import DocumentMessage
from portal.returns import handling
from portal.returns.models import (
    RefundState,
    Resolution,
    ReturnPolicy,
    RmaRule,
    RmaStatus,
)
from portal.returns.office_queries import open_rmas_for_companies
from tests.builders import make_company, make_user
from tests.services.returns.test_handling import (
    delivered_order,
    info,
    make_rma,
    photo_bytes,
    staff_member,
)

D = Decimal


@pytest.fixture
def staff():
    return staff_member(email="office@example.com")


def text(response) -> str:
    return response.get_data(as_text=True)


# --- who may come in -----------------------------------------------------------------------------


def test_partners_and_reps_are_kept_out_of_the_office_screens(login):
    delivered = delivered_order()
    rma = make_rma(delivered)
    rep = make_user(role=Role.SALES_REP)
    admin_only = ("/admin/returns",)
    urls = [
        "/office/returns",
        f"/office/returns/{rma.id}",
        f"/office/returns/{rma.id}/receive",
        "/office/reports/returns",
        *admin_only,
    ]
    for who in (delivered.buyer, rep):
        client = login(who)
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.post(f"/office/returns/{rma.id}/approve").status_code == 403
    staff_client = login(staff_member())
    assert staff_client.get("/admin/returns").status_code == 403
    assert info(rma).status is RmaStatus.AWAITING_REVIEW


def test_an_unknown_rma_or_another_documents_id_is_not_found(login, staff):
    delivered = delivered_order()
    client = login(staff)
    assert client.get("/office/returns/999999").status_code == 404
    assert client.get(f"/office/returns/{delivered.order.id}").status_code == 404


# --- the queue -----------------------------------------------------------------------------------


def test_staff_find_an_rma_by_its_number_or_its_orders_number_and_filter_by_status(login, staff):
    first = delivered_order()
    waiting = make_rma(first)
    second = delivered_order()
    other = make_rma(second)
    handling.reject(other, actor=staff, reason="Too late")
    client = login(staff)

    page = text(client.get("/office/returns"))
    assert waiting.number in page and other.number in page

    by_number = text(client.get("/office/returns", query_string={"q": waiting.number}))
    assert waiting.number in by_number and other.number not in by_number
    by_order = text(client.get("/office/returns", query_string={"q": second.order.number}))
    assert other.number in by_order and waiting.number not in by_order
    rejected = text(client.get("/office/returns", query_string={"status": "rejected"}))
    assert other.number in rejected and waiting.number not in rejected
    fragment = client.get(
        "/office/returns", query_string={"kind": "return"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in text(fragment)
    partner = client.get("/office/returns", query_string={"partner": first.buyer.company_id})
    assert waiting.number in text(partner) and other.number not in text(partner)


def test_the_queue_pages_with_a_cursor_and_its_queries_do_not_grow(login, staff, count_queries):
    delivered = delivered_order(("10.00", "40"))
    rmas = [make_rma(delivered, (0, "1", Resolution.REFUND)) for _ in range(4)]
    client = login(staff)
    client.get("/office/returns")

    count_queries.statements.clear()
    client.get("/office/returns")
    few = count_queries.count
    for _ in range(8):
        make_rma(delivered, (0, "1", Resolution.CREDIT))
    count_queries.statements.clear()
    client.get("/office/returns")
    assert count_queries.count == few

    from portal.returns import office_queries

    first_page = office_queries.queue(office_queries.QueueFilters(), limit=5)
    assert first_page.next_cursor
    cursor = office_queries.parse_cursor(first_page.next_cursor)
    rest = office_queries.queue(office_queries.QueueFilters(after=cursor), limit=50)
    seen = [row.rma.id for row in first_page.rows + rest.rows]
    assert len(seen) == len(set(seen)) == 12
    assert {rma.id for rma in rmas} <= set(seen)
    more = client.get("/office/returns", query_string={"after": first_page.next_cursor})
    assert more.status_code == 200


# --- deciding ------------------------------------------------------------------------------------


def test_staff_approve_with_instructions_from_the_rma_page(login, staff):
    rma = make_rma(delivered_order())
    client = login(staff)
    page = text(client.get(f"/office/returns/{rma.id}"))
    assert rma.number in page and "Broken on arrival" in page

    response = client.post(
        f"/office/returns/{rma.id}/approve", data={"instructions": "Use the original box."}
    )

    assert response.status_code == 303
    assert info(rma).status is RmaStatus.APPROVED
    page = text(client.get(f"/office/returns/{rma.id}"))
    assert "Use the original box." in page and "Receive the goods" in page


def test_a_rejection_without_a_reason_is_refused_next_to_the_field(login, staff):
    rma = make_rma(delivered_order())
    client = login(staff)

    refused = client.post(f"/office/returns/{rma.id}/reject", data={"reason": " "})

    assert refused.status_code == 422
    assert 'id="reason-error"' in text(refused)
    assert info(rma).status is RmaStatus.AWAITING_REVIEW
    done = client.post(f"/office/returns/{rma.id}/reject", data={"reason": "Used goods"})
    assert done.status_code == 303
    assert info(rma).rejection_reason == "Used goods"
    closed = client.post(f"/office/returns/{rma.id}/close")
    assert closed.status_code == 303 and info(rma).status is RmaStatus.CLOSED


def test_staff_write_internal_notes_and_messages_on_the_rma(login, staff):
    rma = make_rma(delivered_order())
    client = login(staff)
    client.post(
        f"/office/returns/{rma.id}/messages", data={"body": "Check the seal", "internal": "1"}
    )
    client.post(f"/office/returns/{rma.id}/messages", data={"body": "We are on it"})
    messages = db.session.scalars(
        sa.select(DocumentMessage).where(DocumentMessage.document_id == rma.id)
    ).all()
    assert [(m.body, m.internal) for m in messages] == [
        ("Check the seal", True),
        ("We are on it", False),
    ]
    page = text(client.get(f"/office/returns/{rma.id}"))
    assert "Check the seal" in page and "internal note" in page
    assert client.post(f"/office/returns/{rma.id}/messages", data={"body": ""}).status_code == 422


# --- the phone-sized flow ------------------------------------------------------------------------


def test_a_warehouse_worker_receives_inspects_and_staff_resolve_on_a_phone(login, staff):
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.CREDIT))
    handling.approve(rma, actor=staff, instructions="")
    db.session.commit()
    client = login(staff)
    [claim] = handling.claim_lines(rma)
    line_id = claim.line.id

    screen = text(client.get(f"/office/returns/{rma.id}/receive"))
    assert 'name="viewport"' in screen and f'name="quantity-{line_id}"' in screen
    too_many = client.post(f"/office/returns/{rma.id}/receive", data={f"quantity-{line_id}": "9"})
    assert too_many.status_code == 422 and f'id="quantity-{line_id}-error"' in text(too_many)
    received = client.post(f"/office/returns/{rma.id}/receive", data={f"quantity-{line_id}": "2"})
    assert received.status_code == 303
    assert received.headers["Location"].endswith(f"/office/returns/{rma.id}/receive")
    assert info(rma).status is RmaStatus.RECEIVED

    screen = text(client.get(f"/office/returns/{rma.id}/receive"))
    assert f'name="condition-{line_id}"' in screen and 'capture="environment"' in screen
    bad_photo = client.post(
        f"/office/returns/{rma.id}/inspect",
        data={
            f"accepted-{line_id}": "2",
            f"condition-{line_id}": "resellable",
            f"photos-{line_id}": (io.BytesIO(b"not an image"), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert bad_photo.status_code == 422 and f'id="photos-{line_id}-error"' in text(bad_photo)
    inspected = client.post(
        f"/office/returns/{rma.id}/inspect",
        data={
            f"accepted-{line_id}": "2",
            f"condition-{line_id}": "resellable",
            f"notes-{line_id}": "Sealed",
            f"photos-{line_id}": (io.BytesIO(photo_bytes("green")), "box.png"),
        },
        content_type="multipart/form-data",
    )
    assert inspected.status_code == 303
    assert info(rma).status is RmaStatus.INSPECTED
    page = text(client.get(f"/office/returns/{rma.id}"))
    assert "ZW/" in page and "Sealed" in page
    photo_url = re.search(rf"/office/returns/{rma.id}/photos/(\d+)\?size=thumb", page)
    assert photo_url is not None
    with client.get(photo_url.group(0)) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
        assert image.get_data()[:2] == b"\xff\xd8"

    resolved = client.post(f"/office/returns/{rma.id}/resolve")
    assert resolved.status_code == 303
    assert info(rma).status is RmaStatus.RESOLVED
    page = text(client.get(f"/office/returns/{rma.id}"))
    assert "KOR/" in page
    assert client.post(f"/office/returns/{rma.id}/close").status_code == 303
    assert info(rma).status is RmaStatus.CLOSED


def test_inspecting_needs_a_condition_and_a_quantity_per_line(login, staff):
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.CREDIT))
    handling.approve(rma, actor=staff, instructions="")
    [claim] = handling.claim_lines(rma)
    handling.receive(rma, actor=staff, quantities={claim.line.id: D(2)})
    client = login(staff)

    refused = client.post(
        f"/office/returns/{rma.id}/inspect",
        data={f"accepted-{claim.line.id}": "two", f"condition-{claim.line.id}": "shiny"},
    )

    assert refused.status_code == 422
    assert "Choose the condition." in text(refused)
    assert info(rma).status is RmaStatus.RECEIVED


def test_a_failed_refund_shows_on_the_rma_with_a_retry_button(login, staff):
    rma = make_rma(delivered_order())
    found = info(rma)
    found.status = RmaStatus.RESOLVED
    found.refund_state = RefundState.FAILED
    found.refund_error = "Stripe did not make the refund: Something went wrong"
    db.session.commit()
    client = login(staff)

    page = text(client.get(f"/office/returns/{rma.id}"))

    assert "Retry refund" in page and "Something went wrong" in page
    assert client.post(f"/office/returns/{rma.id}/close").status_code == 422


# --- report --------------------------------------------------------------------------------------


def test_the_returns_report_shows_rates_reasons_and_time_and_downloads_as_csv(login, staff):
    delivered = delivered_order(("10.00", "10"))
    rma = make_rma(delivered, (0, "2", Resolution.REPAIR))
    handling.approve(rma, actor=staff, instructions="")
    client = login(staff)

    page = client.get("/office/reports/returns")

    assert page.status_code == 200
    body = text(page)
    assert "<svg" in body and delivered.products[0].sku in body and "20.0" in body
    csv = client.get("/office/reports/returns", query_string={"format": "csv"})
    assert csv.mimetype == "text/csv"
    assert f"{delivered.products[0].sku}" in text(csv) and ",2,10,20.0" in text(csv)


# --- admin ---------------------------------------------------------------------------------------


def test_the_admin_sets_a_new_policy_from_today_and_old_ones_stay(login):
    admin = make_user(role=Role.ADMIN)
    old = ReturnPolicy(
        valid_from=local_today() - timedelta(days=100),
        return_window_days=14,
        warranty_months=12,
    )
    db.session.add(old)
    db.session.commit()
    client = login(admin)
    assert client.get("/admin/returns").status_code == 200

    refused = client.post(
        "/admin/returns/policy", data={"window": "x", "warranty": "24", "fee": "0"}
    )
    assert refused.status_code == 422 and 'id="policy-window-error"' in text(refused)
    done = client.post("/admin/returns/policy", data={"window": "45", "warranty": "24", "fee": "5"})

    assert done.status_code == 303
    policies = {
        p.valid_from: p
        for p in db.session.scalars(
            sa.select(ReturnPolicy).execution_options(populate_existing=True)
        )
    }
    assert policies[local_today()].return_window_days == 45
    assert policies[local_today()].restocking_fee_percent == D("5.00")
    assert policies[old.valid_from].return_window_days == 14


def test_the_admin_adds_orders_and_deletes_auto_approval_rules(login):
    admin = make_user(role=Role.ADMIN)
    client = login(admin)
    db.session.execute(sa.delete(RmaRule))
    db.session.commit()

    assert (
        client.post(
            "/admin/returns/rules", data={"kind": "return", "max_value": "500", "active": "1"}
        ).status_code
        == 303
    )
    client.post("/admin/returns/rules", data={"kind": "complaint", "active": "1"})
    refused = client.post("/admin/returns/rules", data={"max_value": "lots"})
    assert refused.status_code == 422

    def rules():
        return list(
            db.session.scalars(
                sa.select(RmaRule)
                .order_by(RmaRule.position)
                .execution_options(populate_existing=True)
            )
        )

    first, second = rules()
    assert first.max_value == D("500.00") and second.max_value is None
    client.post(f"/admin/returns/rules/{second.id}/move", data={"direction": "up"})
    assert [rule.id for rule in rules()] == [second.id, first.id]
    client.post(f"/admin/returns/rules/{first.id}", data={"kind": "", "max_value": "100"})
    assert rules()[1].max_value == D("100.00") and rules()[1].active is False
    client.post(f"/admin/returns/rules/{second.id}/delete")
    assert [rule.id for rule in rules()] == [first.id]


# --- for the rep dashboard -----------------------------------------------------------------------


def test_open_rmas_for_companies_lists_only_open_rmas_of_those_partners(staff):
    mine = delivered_order()
    open_rma = make_rma(mine)
    closed = make_rma(mine)
    handling.reject(closed, actor=staff, reason="No")
    other = make_rma(delivered_order())

    found, count = open_rmas_for_companies([mine.buyer.company_id, make_company().id])

    assert [row.id for row in found] == [open_rma.id] and count == 1
    assert other.id not in [row.id for row in found]
    assert open_rmas_for_companies([]) == ([], 0)
    newer = make_rma(mine)
    found, count = open_rmas_for_companies([mine.buyer.company_id], limit=1)
    assert [row.id for row in found] == [newer.id] and count == 2  # counted past the page
