"""Corrections (KOR): signed differences per line and per VAT rate, never more than invoiced."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import DocumentKind, DocumentLink
from portal.documents.services import lines_of
from portal.invoicing.queries import line_states
from portal.invoicing.services import (
    InvoicingError,
    LineChange,
    issue_correction,
    issue_final_documents,
)
from tests.builders import make_company, make_user
from tests.services.invoicing.helpers import D, order_of, set_up_seller, ship, stocked_product


@pytest.fixture(autouse=True)
def seller():
    set_up_seller()


@pytest.fixture
def staff():
    return make_user(role=Role.STAFF)


def invoiced(staff, *items, tax_id="7740001454", **checkout):
    company = make_company(tax_id=tax_id, tax_country="PL" if tax_id else None)
    buyer = make_user(role=Role.BUYER, company=company)
    order = order_of(buyer, *items, **checkout)
    return issue_final_documents(order, ship(order), actor=staff)


def test_a_return_is_a_negative_line_and_negative_totals_per_rate(staff):
    hinge, bread = stocked_product(price="12.50"), stocked_product(price="4.00", vat="8")
    invoice = invoiced(staff, (hinge, "5"), (bread, "10"))
    hinge_line, bread_line = lines_of(invoice)

    correction = issue_correction(
        invoice,
        [LineChange(hinge_line.id, returned=D(2)), LineChange(bread_line.id, quantity=D(7))],
        actor=staff,
        reason="RMA/2026/000001: returned",
    )

    assert correction.kind is DocumentKind.KOR
    rows = lines_of(correction)
    assert [(row.source_line_id, row.quantity, row.net) for row in rows] == [
        (hinge_line.id, D(-2), D("-25.00")),
        (bread_line.id, D(-3), D("-12.00")),
    ]
    # Per rate: 23 % -25.00 net, -5.75 VAT; 8 % -12.00 net, -0.96 VAT.
    assert (correction.net_total, correction.vat_total, correction.gross_total) == (
        D("-37.00"),
        D("-6.71"),
        D("-43.71"),
    )
    assert db.session.get(DocumentLink, (invoice.id, correction.id)) is not None
    assert correction.note == "RMA/2026/000001: returned"
    states = {state.line.id: state for state in line_states(invoice)}
    assert (states[hinge_line.id].quantity, states[hinge_line.id].net) == (D(3), D("37.50"))


def test_nothing_beyond_what_was_invoiced_less_earlier_corrections(staff):
    invoice = invoiced(staff, (stocked_product(), "5"))
    [line] = lines_of(invoice)
    issue_correction(invoice, [LineChange(line.id, returned=D(3))], actor=staff, reason="r")

    with pytest.raises(InvoicingError, match="not to -1"):
        issue_correction(invoice, [LineChange(line.id, returned=D(3))], actor=staff, reason="r")
    with pytest.raises(InvoicingError, match="not to 9"):
        issue_correction(invoice, [LineChange(line.id, quantity=D(9))], actor=staff, reason="r")
    issue_correction(invoice, [LineChange(line.id, quantity=D(0))], actor=staff, reason="r")
    with pytest.raises(InvoicingError, match="nothing of this line"):
        issue_correction(
            invoice, [LineChange(line.id, unit_price=D("1.00"))], actor=staff, reason="r"
        )


def test_refusals_leave_nothing_behind(staff):
    invoice = invoiced(staff, (stocked_product(), "5"))
    [line] = lines_of(invoice)
    for changes, reason, message in (
        ([LineChange(line.id, returned=D(1))], "  ", "reason"),
        ([], "r", "Nothing changes"),
        ([LineChange(line.id, quantity=D(5))], "r", "Nothing changes"),
        ([LineChange(line.id + 999, returned=D(1))], "r", "not on"),
        ([LineChange(line.id, unit_price=D("1.234"))], "r", "grosze"),
        ([LineChange(line.id, returned=D(1)), LineChange(line.id, returned=D(1))], "r", "once"),
    ):
        with pytest.raises(InvoicingError, match=message):
            issue_correction(invoice, changes, actor=staff, reason=reason)
    assert line_states(invoice)[0].quantity == D(5)


def test_a_correction_cannot_itself_be_corrected(staff):
    invoice = invoiced(staff, (stocked_product(), "5"))
    [line] = lines_of(invoice)
    correction = issue_correction(
        invoice, [LineChange(line.id, returned=D(1))], actor=staff, reason="r"
    )
    with pytest.raises(InvoicingError, match="Only an issued invoice"):
        issue_correction(correction, [], actor=staff, reason="r")


def test_a_new_price_shows_the_line_before_negated_and_after(staff):
    invoice = invoiced(staff, (stocked_product(price="10.00"), "4"))
    [line] = lines_of(invoice)

    correction = issue_correction(
        invoice, [LineChange(line.id, unit_price=D("8.50"))], actor=staff, reason="price agreed"
    )

    assert [(row.quantity, row.unit_price, row.net) for row in lines_of(correction)] == [
        (D(-4), D("10.00"), D("-40.00")),
        (D(4), D("8.50"), D("34.00")),
    ]
    assert (correction.net_total, correction.vat_total) == (D("-6.00"), D("-1.38"))
    state = line_states(invoice)[0]
    assert (state.quantity, state.unit_price, state.net) == (D(4), D("8.50"), D("34.00"))


def test_a_discounted_line_gives_its_discount_back_in_proportion(staff):
    invoice = invoiced(
        staff, (stocked_product(price="10.00"), "3"), extra_discount_amount=D("1.00")
    )
    [line] = lines_of(invoice)
    assert line.net == D("29.00")
    correction = issue_correction(
        invoice, [LineChange(line.id, returned=D(1))], actor=staff, reason="r"
    )
    assert lines_of(correction)[0].net == D("-9.67")  # 29.00 x 1/3, the rest stays 19.33


def test_a_receipts_correction_is_computed_from_gross_like_the_receipt(staff):
    products = [stocked_product(price="0.99") for _ in range(3)]
    receipt = invoiced(staff, *((product, "1") for product in products), tax_id=None)
    assert receipt.kind is DocumentKind.PA and receipt.gross_total == D("3.66")
    changes = [LineChange(line.id, quantity=D(0)) for line in lines_of(receipt)]

    correction = issue_correction(receipt, changes, actor=staff, reason="all back")

    assert correction.gross_total == -receipt.gross_total
    assert correction.vat_total == -receipt.vat_total


def test_a_return_settles_what_is_open_on_the_invoice_and_only_the_rest_is_a_credit(staff):
    from datetime import date

    from portal.accounts.models import Company
    from portal.payments.models import PaymentChannel
    from portal.payments.services import record_payment
    from portal.payments.states import PaymentStatus, payment_status

    invoice = invoiced(staff, (stocked_product(price="100.00"), "3"))  # 369.00 gross, unpaid
    [line] = lines_of(invoice)
    first = issue_correction(invoice, [LineChange(line.id, returned=D(1))], actor=staff, reason="r")
    # 123.00 of the 369.00 came back: 246.00 is still owed on the invoice, the KOR is settled
    assert (invoice.gross_total - invoice.paid_total, first.paid_total) == (
        D("246.00"),
        D("-123.00"),
    )
    assert payment_status(first.gross_total, first.paid_total, first.due_on, date.today()) is (
        PaymentStatus.PAID
    )

    company = db.session.get(Company, invoice.company_id)
    record_payment(
        DocumentKind.KP,
        company,
        D("200.00"),
        on=date.today(),
        channel=PaymentChannel.BANK_TRANSFER,
        actor=staff,
        allocations=[(invoice, D("200.00"))],
    )
    second = issue_correction(
        invoice, [LineChange(line.id, returned=D(2))], actor=staff, reason="all back"
    )
    # 46.00 was still open: it is settled; the other 200.00 is what the seller owes back
    assert invoice.paid_total == invoice.gross_total
    assert second.gross_total - second.paid_total == D("-200.00")
