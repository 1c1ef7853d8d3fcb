"""A partner's account statement: invoices, corrections and payments in date order with a
running balance, what is overdue, the credit limit and what is still available."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company
from portal.core.db import db
from portal.core.money import ZERO, sum_of
from portal.documents.models import (
    PAYMENT_KINDS,
    SALES_KINDS,
    Document,
    DocumentKind,
    DocumentState,
)
from portal.payments import balances
from portal.payments.states import PaymentStatus, payment_status

STATEMENT_KINDS = SALES_KINDS | PAYMENT_KINDS


def signed_amount(kind: DocumentKind, gross: Decimal) -> Decimal:
    """What a document adds to the partner's debt: a KP (money in) lowers it; invoices,
    corrections (negative ones lower it) and our payments out (KW) raise it."""
    return -gross if kind is DocumentKind.KP else gross


@dataclass(frozen=True)
class StatementRow:
    document_id: int
    kind: DocumentKind
    number: str
    issued_on: date
    due_on: date | None
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    open_amount: Decimal | None
    """Invoices and corrections: what is still open; None for payments."""
    status: PaymentStatus | None


@dataclass(frozen=True)
class Statement:
    company: Company
    today: date
    date_from: date | None
    date_to: date | None
    opening_balance: Decimal
    rows: list[StatementRow]
    overdue: Decimal
    credit_limit: Decimal
    exposure: Decimal
    pending_rma_credits: Decimal

    @property
    def closing_balance(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening_balance

    @property
    def available(self) -> Decimal:
        return self.credit_limit - self.exposure


def _base(company_id: int) -> list[sa.ColumnElement[bool]]:
    return [
        Document.company_id == company_id,
        Document.kind.in_(STATEMENT_KINDS),
        Document.state == DocumentState.ISSUED,
    ]


def _opening_balance(company_id: int, before: date) -> Decimal:
    signed = sa.case(
        (Document.kind == DocumentKind.KP, -Document.gross_total), else_=Document.gross_total
    )
    total = db.session.scalar(
        sa.select(sum_of(signed)).where(*_base(company_id), Document.issued_on < before)
    )
    return total if total is not None else ZERO


def statement_of(
    company: Company,
    *,
    today: date,
    date_from: date | None = None,
    date_to: date | None = None,
    pending_rma_credits: Decimal | None = None,
) -> Statement:
    opening = _opening_balance(company.id, date_from) if date_from else ZERO
    query = sa.select(
        Document.id,
        Document.kind,
        Document.number,
        Document.issued_on,
        Document.due_on,
        Document.reference,
        Document.gross_total,
        Document.paid_total,
    ).where(*_base(company.id))
    if date_from:
        query = query.where(Document.issued_on >= date_from)
    if date_to:
        query = query.where(Document.issued_on <= date_to)
    rows: list[StatementRow] = []
    balance = opening
    for found in db.session.execute(query.order_by(Document.issued_on, Document.id)):
        amount = signed_amount(found.kind, found.gross_total)
        balance += amount
        is_payment = found.kind in PAYMENT_KINDS
        rows.append(
            StatementRow(
                document_id=found.id,
                kind=found.kind,
                number=found.number or "",
                issued_on=found.issued_on,
                due_on=found.due_on,
                reference=found.reference,
                debit=amount if amount > 0 else ZERO,
                credit=-amount if amount < 0 else ZERO,
                balance=balance,
                open_amount=None if is_payment else found.gross_total - found.paid_total,
                status=None
                if is_payment
                else payment_status(found.gross_total, found.paid_total, found.due_on, today),
            )
        )
    return Statement(
        company=company,
        today=today,
        date_from=date_from,
        date_to=date_to,
        opening_balance=opening,
        rows=rows,
        overdue=balances.overdue_total(company.id, today),
        credit_limit=company.credit_limit,
        exposure=balances.exposure(company),
        pending_rma_credits=(
            pending_rma_credits
            if pending_rma_credits is not None
            else balances.pending_rma_credits(company)
        ),
    )
