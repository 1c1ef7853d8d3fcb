"""Payments (KP in, KW out) allocated to invoices partly or fully, across several invoices;
what cannot be allocated is refused and changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentEvent, DocumentKind, DocumentLink, EventKind
from portal.payments.models import PaymentAllocation, PaymentChannel, PaymentInfo
from portal.payments.services import PaymentRefused, allocate, record_payment
from portal.payments.states import PaymentStatus, payment_status
from tests.builders import make_company, make_user
from tests.services.documents.helpers import DAY, invoice, issued

D = Decimal


@pytest.fixture
def staff():
    return make_user(role=Role.STAFF)


def fresh(document: Document) -> Document:
    db.session.expire_all()
    return db.session.get_one(Document, document.id)


def pay(company, amount, allocations=(), *, actor=None, kind=DocumentKind.KP, **extra):
    return record_payment(
        kind,
        company,
        D(amount),
        on=DAY,
        channel=PaymentChannel.BANK_TRANSFER,
        reference=extra.pop("reference", "transfer 1"),
        actor=actor,
        allocations=[(document, D(value)) for document, value in allocations],
        **extra,
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


def test_a_payment_is_a_numbered_kp_with_its_method(staff):
    company = make_company()
    payment = pay(company, "50.00", actor=staff)
    assert payment.kind is DocumentKind.KP and payment.number == "KP/2026/11/0001"
    assert payment.gross_total == D("50.00") and payment.paid_total == D("0.00")
    assert payment.company_id == company.id and payment.reference == "transfer 1"
    assert db.session.get_one(PaymentInfo, payment.id).channel is PaymentChannel.BANK_TRANSFER


def test_a_payment_pays_one_invoice_in_full_and_another_in_part(staff):
    company = make_company()
    first, second = invoice(company), invoice(company, "200.00")  # 123.00 and 246.00
    payment = pay(company, "200.00", [(first, "123.00"), (second, "77.00")], actor=staff)

    first, second, payment = fresh(first), fresh(second), fresh(payment)
    assert first.paid_total == D("123.00") and second.paid_total == D("77.00")
    assert payment.paid_total == D("200.00")
    today = date(2026, 11, 5)
    assert payment_status(first.gross_total, first.paid_total, first.due_on, today) is (
        PaymentStatus.PAID
    )
    assert payment_status(second.gross_total, second.paid_total, second.due_on, today) is (
        PaymentStatus.PARTLY_PAID
    )
    rows = db.session.scalars(
        sa.select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)
    ).all()
    assert sorted(r.amount for r in rows) == [D("77.00"), D("123.00")]
    assert {r.allocated_by_id for r in rows} == {staff.id}
    # related documents both ways, and a payment line on each invoice's audit trail
    links = db.session.scalars(
        sa.select(DocumentLink.target_id).where(DocumentLink.source_id == payment.id)
    ).all()
    assert set(links) == {first.id, second.id}
    notes = db.session.scalars(
        sa.select(DocumentEvent.note).where(
            DocumentEvent.document_id == second.id, DocumentEvent.kind == EventKind.PAYMENT
        )
    ).all()
    assert len(notes) == 1 and payment.number in notes[0] and "transfer 1" in notes[0]


def test_the_rest_of_a_payment_is_allocated_later(staff):
    company = make_company()
    payment = pay(company, "150.00", actor=staff)
    first, second = invoice(company), invoice(company)
    allocate(payment, first, D("123.00"), actor=staff)
    allocate(payment, second, D("27.00"), actor=staff)
    assert fresh(payment).paid_total == D("150.00")
    assert fresh(second).paid_total == D("27.00")


@pytest.mark.parametrize(
    ("allocations", "message"),
    [
        ((("first", "123.00"), ("second", "100.00")), "more than the"),  # 223 > 200
        ((("first", "124.00"),), "has only"),  # more than the invoice's open amount
        ((("first", "0"),), "above zero"),
        ((("first", "-5.00"),), "above zero"),
        ((("foreign", "10.00"),), "cannot take this payment"),
        ((("first", "10.00"), ("first", "10.00")), "once"),
    ],
)
def test_over_allocation_is_refused_and_nothing_changes(staff, allocations, message):
    company = make_company()
    documents = {
        "first": invoice(company),
        "second": invoice(company),
        "foreign": invoice(make_company()),
    }
    numbers_before = count(Document)
    db.session.commit()
    with pytest.raises(PaymentRefused) as refused:
        pay(company, "200.00", [(documents[name], value) for name, value in allocations])
    assert message in refused.value.message
    db.session.expire_all()
    assert count(Document) == numbers_before and count(PaymentAllocation) == 0
    assert all(fresh(d).paid_total == D("0.00") for d in documents.values())
    # the number was given back: the next payment takes the first number of the series
    assert pay(company, "1.00").number.endswith("/0001")


def test_allocating_more_than_a_payments_rest_later_is_refused(staff):
    company = make_company()
    payment = pay(company, "100.00", [(invoice(company), "60.00")], actor=staff)
    other = invoice(company)
    db.session.commit()
    with pytest.raises(PaymentRefused) as refused:
        allocate(payment, other, D("40.01"), actor=staff)
    assert "40.01" in refused.value.message and "40.00" in refused.value.message
    assert fresh(other).paid_total == D("0.00") and fresh(payment).paid_total == D("60.00")


def test_a_refund_kw_settles_a_correction_that_lowers_the_debt(staff):
    company = make_company()
    original = invoice(company)
    correction = issued(DocumentKind.KOR, company, net="-50.00", sources=(original,))
    assert correction.gross_total == D("-61.50")
    db.session.commit()
    with pytest.raises(PaymentRefused):  # a KP cannot pay what we owe
        pay(company, "61.50", [(correction, "61.50")])
    refund = pay(company, "61.50", [(correction, "61.50")], kind=DocumentKind.KW, actor=staff)
    assert fresh(correction).paid_total == D("-61.50") and fresh(refund).paid_total == D("61.50")
    assert fresh(correction).open_amount == D("0.00")


def test_payment_states_unpaid_partly_paid_paid_and_overdue():
    due = date(2026, 11, 16)
    gross = D("123.00")
    assert payment_status(gross, D(0), due, date(2026, 11, 16)) is PaymentStatus.UNPAID
    assert payment_status(gross, D("10.00"), due, due) is PaymentStatus.PARTLY_PAID
    assert payment_status(gross, gross, due, date(2027, 1, 1)) is PaymentStatus.PAID
    assert payment_status(gross, D(0), due, date(2026, 11, 17)) is PaymentStatus.OVERDUE
    assert payment_status(gross, D("10.00"), due, date(2026, 11, 17)) is PaymentStatus.OVERDUE
    assert payment_status(gross, D(0), None, date(2030, 1, 1)) is PaymentStatus.UNPAID
    assert payment_status(D("-61.50"), D(0), due, date(2027, 1, 1)) is PaymentStatus.UNPAID
