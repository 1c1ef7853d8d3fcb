"""The account statement: every invoice, correction and payment of the partner in date order
with a running balance, the overdue amount, the credit limit and what is still available."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from portal.documents.models import DocumentKind
from portal.payments.models import PaymentChannel
from portal.payments.services import record_payment
from portal.payments.statement import statement_of
from portal.payments.states import PaymentStatus
from tests.builders import make_company
from tests.services.documents.helpers import invoice, issued

D = Decimal


def test_the_statement_runs_a_balance_and_shows_what_is_overdue():
    company = make_company(credit_limit=D("1000.00"))
    first = invoice(company, on=date(2026, 10, 1))  # 123.00, due 15 Oct
    second = invoice(company, "200.00", on=date(2026, 11, 2))  # 246.00, due 16 Nov
    issued(DocumentKind.WZ, company, on=date(2026, 11, 2))  # not on a statement
    record_payment(
        DocumentKind.KP,
        company,
        D("100.00"),
        on=date(2026, 10, 20),
        channel=PaymentChannel.BANK_TRANSFER,
        reference="transfer",
        actor=None,
        allocations=[(first, D("100.00"))],
    )
    issued(DocumentKind.KOR, company, net="-10.00", on=date(2026, 11, 5), sources=(second,))
    invoice(make_company(), on=date(2026, 10, 2))  # another company's

    statement = statement_of(company, today=date(2026, 11, 20), pending_rma_credits=D("5.00"))
    assert [(row.kind, row.debit, row.credit, row.balance) for row in statement.rows] == [
        (DocumentKind.FS, D("123.00"), D(0), D("123.00")),
        (DocumentKind.KP, D(0), D("100.00"), D("23.00")),
        (DocumentKind.FS, D("246.00"), D(0), D("269.00")),
        (DocumentKind.KOR, D(0), D("12.30"), D("256.70")),
    ]
    assert [row.status for row in statement.rows] == [
        PaymentStatus.OVERDUE,
        None,
        PaymentStatus.OVERDUE,
        PaymentStatus.UNPAID,
    ]
    assert statement.closing_balance == D("256.70")
    assert statement.overdue == D("23.00") + D("246.00")
    assert statement.credit_limit == D("1000.00")
    assert statement.exposure == D("256.70")
    assert statement.available == D("743.30")
    assert statement.pending_rma_credits == D("5.00")

    later = statement_of(company, today=date(2026, 11, 20), date_from=date(2026, 11, 1))
    assert later.opening_balance == D("23.00")
    assert [row.balance for row in later.rows] == [D("269.00"), D("256.70")]
    assert later.pending_rma_credits == D("0.00")
