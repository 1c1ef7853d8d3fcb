"""Filing returns and complaints: numbers, lines, links, rules, and every refusal."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db, utcnow
from portal.core.templating import when
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentSeries,
    ReasonKind,
)
from portal.fulfilment.models import Shipment
from portal.notifications import outbox
from portal.notifications.models import OutboxMessage
from portal.returns.filing import FilingRefused, ParcelNotExpected, mark_sent
from portal.returns.models import (
    PhotoStage,
    ReturnPolicy,
    RmaInfo,
    RmaKind,
    RmaLine,
    RmaPhoto,
    RmaRule,
    RmaStatus,
)
from portal.returns.photos import StoredPhoto
from portal.returns.states import move_rma
from tests.builders import delivered_order, make_product, make_user
from tests.services.returns.helpers import (
    claim,
    file_return,
    partner_buyer,
    reason,
    wz_lines,
)

D = Decimal


def info_of(rma: Document) -> RmaInfo:
    return db.session.get_one(RmaInfo, rma.id)


def rma_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Document).where(Document.kind == DocumentKind.RMA)
    )


def rma_series() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.max(DocumentSeries.last_number)).where(
                DocumentSeries.kind == DocumentKind.RMA
            )
        )
        or 0
    )


def test_a_return_gets_its_number_lines_links_and_is_auto_approved():
    buyer = partner_buyer()
    product = make_product(list_price=D("12.50"))
    order, note = delivered_order(buyer, (product, "4"))
    (line,) = wz_lines(note)

    rma = file_return(buyer, claim(line, "3", description="Too many"))

    assert re.fullmatch(rf"RMA/{date.today():%Y}/\d{{6}}", rma.number)
    assert rma.company_id == buyer.company_id and rma.user_id == buyer.id
    (rma_line,) = wz_lines(rma)
    assert (rma_line.sku, rma_line.quantity, rma_line.unit_price) == (
        line.sku,
        D(3),
        line.unit_price,
    )
    assert rma_line.source_line_id == line.id and rma_line.net == D("37.50")
    extra = db.session.get_one(RmaLine, rma_line.id)
    assert (extra.delivered_line_id, extra.order_id, extra.description) == (
        line.id,
        order.id,
        "Too many",
    )
    links = set(
        db.session.scalars(
            sa.select(DocumentLink.source_id).where(DocumentLink.target_id == rma.id)
        )
    )
    assert links == {order.id, note.id}
    info = info_of(rma)
    assert info.status is RmaStatus.APPROVED and info.auto_approved and info.decided_at
    timeline = list(
        db.session.scalars(
            sa.select(DocumentEvent.rma_status)
            .where(DocumentEvent.document_id == rma.id, DocumentEvent.rma_status.is_not(None))
            .order_by(DocumentEvent.id)
        )
    )
    assert timeline == ["submitted", "approved"]
    mail = db.session.scalar(
        sa.select(OutboxMessage)
        .where(OutboxMessage.template == "returns/status")
        .order_by(OutboxMessage.id.desc())
    )
    assert mail is not None and mail.recipient == buyer.email
    subject, text, html = outbox.render(mail.template, language="en", context=mail.context or {})
    assert subject == f"{rma.number} is now: Approved"
    assert f"/returns/{rma.id}" in text and f"/returns/{rma.id}" in html
    polish, _text, _html = outbox.render(mail.template, language="pl", context=mail.context or {})
    assert "Approved" not in polish


def test_a_complaint_waits_for_review_when_no_rule_matches():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    (line,) = wz_lines(note)
    defective = reason(ReasonKind.COMPLAINT, "defective")
    stored = StoredPhoto("a" * 40, 100, 80, 1000)
    rma = file_return(
        buyer,
        claim(line, "1", reason_id=defective.id, description="Cracked", photos=(stored,)),
        kind=RmaKind.COMPLAINT,
    )
    info = info_of(rma)
    assert info.status is RmaStatus.AWAITING_REVIEW and not info.auto_approved
    (photo,) = db.session.scalars(
        sa.select(RmaPhoto).where(RmaPhoto.document_line_id == wz_lines(rma)[0].id)
    )
    assert (photo.image_key, photo.stage) == ("a" * 40, PhotoStage.FILING)


def test_a_partner_with_an_overdue_invoice_waits_for_review():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    db.session.add(
        Document(
            kind=DocumentKind.FS,
            number="FS/2020/01/9999",
            issued_on=date(2020, 1, 1),
            company_id=buyer.company_id,
            due_on=date(2020, 1, 15),
            gross_total=D("100.00"),
            paid_total=D("10.00"),
        )
    )
    db.session.flush()
    rma = file_return(buyer, claim(wz_lines(note)[0]))
    assert info_of(rma).status is RmaStatus.AWAITING_REVIEW


def test_the_first_matching_rule_gives_its_instructions():
    db.session.execute(sa.update(RmaRule).values(active=False))
    db.session.add_all(
        [
            RmaRule(position=1, kind=RmaKind.RETURN, max_value=D("1.00"), instructions="tiny"),
            RmaRule(position=2, kind=None, require_good_standing=False, instructions="Pack well"),
        ]
    )
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    rma = file_return(buyer, claim(wz_lines(note)[0]))
    info = info_of(rma)
    assert (info.status, info.instructions) == (RmaStatus.APPROVED, "Pack well")


def test_more_than_delivered_is_refused_and_nothing_is_created():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer, (make_product(), "2"))
    (line,) = wz_lines(note)
    before, series = rma_count(), rma_series()
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line, "3"))
    assert "At most 2" in refused.value.errors[line.id, "quantity"]
    assert (rma_count(), rma_series()) == (before, series)


def test_partial_rmas_add_up_to_what_was_delivered_and_a_rejection_frees_its_part():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer, (make_product(), "5"))
    (line,) = wz_lines(note)
    file_return(buyer, claim(line, "2"))
    second = file_return(buyer, claim(line, "3"))
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line, "1"))
    assert "Already fully" in refused.value.errors[line.id, "quantity"]

    info = info_of(second)
    info.status = RmaStatus.AWAITING_REVIEW  # as if staff had it waiting
    db.session.flush()
    move_rma(second, info, RmaStatus.REJECTED, actor=None)
    move_rma(second, info_of(second), RmaStatus.CLOSED, actor=None)  # closed, still rejected
    file_return(buyer, claim(line, "3"))


def test_one_rma_may_hold_lines_of_several_orders():
    buyer = partner_buyer()
    first, first_note = delivered_order(buyer)
    second, second_note = delivered_order(buyer)
    rma = file_return(buyer, claim(wz_lines(first_note)[0]), claim(wz_lines(second_note)[0]))
    orders = set(
        db.session.scalars(
            sa.select(RmaLine.order_id)
            .join(DocumentLine, DocumentLine.id == RmaLine.document_line_id)
            .where(DocumentLine.document_id == rma.id)
        )
    )
    assert orders == {first.id, second.id}


def test_another_companys_line_is_refused():
    buyer = partner_buyer()
    _order, theirs = delivered_order(partner_buyer())
    (line,) = wz_lines(theirs)
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line))
    assert (line.id, "line") in refused.value.errors


def test_a_buyer_claims_on_their_own_orders_and_the_partner_admin_on_all():
    buyer = partner_buyer()
    colleague = make_user(role=Role.BUYER, company=buyer.company)
    admin = make_user(role=Role.PARTNER_ADMIN, company=buyer.company)
    _order, note = delivered_order(colleague)
    (line,) = wz_lines(note)
    with pytest.raises(FilingRefused):
        file_return(buyer, claim(line))
    assert file_return(admin, claim(line)).company_id == buyer.company_id


def test_an_order_not_yet_delivered_is_refused():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    db.session.execute(
        sa.update(Shipment).where(Shipment.delivery_note_id == note.id).values(delivered_at=None)
    )
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(wz_lines(note)[0]))
    assert "not one of your deliveries" in str(refused.value.errors)


def test_a_passed_window_is_refused_with_its_date():
    buyer = partner_buyer()
    delivered = utcnow().replace(hour=12) - timedelta(days=40)
    _order, note = delivered_order(buyer, delivered_at=delivered)
    (line,) = wz_lines(note)
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line))
    ended = when(delivered.date() + timedelta(days=30), "long")  # e.g. "December 27, 2026"
    assert f"ended on {ended}" in refused.value.errors[line.id, "quantity"]
    complaint = file_return(
        buyer,
        claim(
            line,
            reason_id=reason(ReasonKind.COMPLAINT, "not_as_described").id,
            description="Blue, not red",
        ),
        kind=RmaKind.COMPLAINT,
    )
    assert complaint.number


def test_the_policy_in_force_on_the_delivery_date_applies():
    buyer = partner_buyer()
    delivered = utcnow().replace(hour=12) - timedelta(days=40)
    _order, note = delivered_order(buyer, delivered_at=delivered)
    # A longer window from today on does not reopen an old delivery...
    db.session.add(ReturnPolicy(valid_from=date.today(), return_window_days=90, warranty_months=24))
    db.session.flush()
    with pytest.raises(FilingRefused):
        file_return(buyer, claim(wz_lines(note)[0]))
    # ...but one in force when it was delivered does.
    db.session.add(
        ReturnPolicy(
            valid_from=delivered.date() - timedelta(days=1),
            return_window_days=60,
            warranty_months=24,
        )
    )
    db.session.flush()
    assert file_return(buyer, claim(wz_lines(note)[0])).number


def test_reasons_require_photos_and_descriptions():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    (line,) = wz_lines(note)
    defective = reason(ReasonKind.COMPLAINT, "defective")
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line, reason_id=defective.id), kind=RmaKind.COMPLAINT)
    assert {field for _id, field in refused.value.errors} == {"photos", "description"}
    # A return reason is not a complaint reason.
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line), kind=RmaKind.COMPLAINT)
    assert (line.id, "reason") in refused.value.errors


def test_odd_quantities_and_missing_choices_are_refused():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer, (make_product(), "5"))
    (line,) = wz_lines(note)
    for quantity in ("0", "-1", "1.5"):
        with pytest.raises(FilingRefused) as refused:
            file_return(buyer, claim(line, quantity))
        assert (line.id, "quantity") in refused.value.errors
    with pytest.raises(FilingRefused) as refused:
        file_return(buyer, claim(line, reason_id=None, resolution=None))
    assert {f for _i, f in refused.value.errors} == {"reason", "resolution"}
    with pytest.raises(FilingRefused):
        file_return(buyer)
    with pytest.raises(FilingRefused):
        file_return(buyer, claim(line), claim(line))


def test_the_same_submission_twice_gives_one_rma():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer, (make_product(), "5"))
    (line,) = wz_lines(note)
    first = file_return(buyer, claim(line, "2"), idempotency_key="tap-tap")
    again = file_return(buyer, claim(line, "2"), idempotency_key="tap-tap")
    assert again.id == first.id
    assert info_of(first).idempotency_key == "tap-tap"
    # Another company cannot reuse (or learn) it.
    with pytest.raises(FilingRefused):
        file_return(partner_buyer(), idempotency_key="tap-tap")


def test_the_buyer_marks_the_parcel_sent_once_approved():
    buyer = partner_buyer()
    _order, note = delivered_order(buyer)
    rma = file_return(buyer, claim(wz_lines(note)[0]))
    mark_sent(rma, actor=buyer, tracking_number=" PX123 ")
    info = info_of(rma)
    assert (info.status, info.tracking_number) == (RmaStatus.IN_TRANSIT, "PX123")
    with pytest.raises(ParcelNotExpected):
        mark_sent(rma, actor=buyer)


def test_the_loader_reads_any_number_of_orders_in_three_queries(count_queries):
    from portal.returns.eligibility import delivered_lines

    buyer = partner_buyer()
    orders = [
        delivered_order(buyer, (make_product(), "2"), (make_product(), "1"))[0] for _ in range(3)
    ]
    file_return(buyer, claim(wz_lines(delivered_order(buyer)[1])[0]))
    count_queries.statements.clear()
    lines = delivered_lines(buyer, order_ids=[order.id for order in orders])
    assert len(lines) == 6 and count_queries.count == 3
    assert {line.order_id for line in lines} == {order.id for order in orders}
    assert all(line.claimed == 0 and line.policy.return_window_days == 30 for line in lines)
