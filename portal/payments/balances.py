"""What a partner owes: open invoices, orders not yet invoiced, overdue amounts, exposure.

DOMAIN.md "Credit and limits": exposure = unpaid invoices (gross − paid, corrections that lower
the debt included) + placed, not yet invoiced orders (not cancelled or rejected); gross.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from portal.accounts.models import Company
from portal.core.db import db
from portal.core.money import ZERO, gross_of, sum_of
from portal.documents.models import (
    SALES_KINDS,
    Document,
    DocumentKind,
    DocumentLine,
    DocumentLink,
    DocumentState,
)
from portal.orders.models import StatusType
from portal.orders.statuses import status_ids
from portal.returns.models import Resolution, RmaInfo, RmaLine, RmaStatus

INVOICE_KINDS = (DocumentKind.FS, DocumentKind.PA)


# The statement, the checkout and the dashboards run these for every page: built once (on
# first use, with every model mapped), as building one costs about as much Python as
# running it.
@cache
def _open_documents() -> sa.Select[Decimal]:
    return sa.select(sum_of(Document.gross_total - Document.paid_total)).where(
        Document.company_id == sa.bindparam("company"),
        Document.kind.in_(SALES_KINDS),
        Document.state == DocumentState.ISSUED,
    )


def open_documents_total(company_id: int) -> Decimal:
    """Invoices, receipts and corrections: gross − paid, a negative KOR lowering the sum."""
    total = db.session.scalar(_open_documents(), {"company": company_id})
    return total if total is not None else ZERO


@cache
def _overdue() -> sa.Select[Decimal]:
    return _open_documents().where(
        Document.gross_total > Document.paid_total, Document.due_on < sa.bindparam("today")
    )


def overdue_total(company_id: int, today: date) -> Decimal:
    total = db.session.scalar(_overdue(), {"company": company_id, "today": today})
    return total if total is not None else ZERO


# Aliased once: aliasing a mapped class anew on every call cost more than the query the
# statement page runs with it.
_INVOICE = aliased(Document, name="invoice")
_STEP = aliased(DocumentLink, name="step")


def invoiced(order: type[Document] | sa.orm.util.AliasedClass[Document]) -> sa.ColumnElement[bool]:
    """The order led to an invoice or receipt, directly or through its delivery note."""
    invoice, step = _INVOICE, _STEP
    direct = (
        sa.select(DocumentLink.source_id)
        .join(invoice, invoice.id == DocumentLink.target_id)
        .where(DocumentLink.source_id == order.id, invoice.kind.in_(INVOICE_KINDS))
    )
    through = (
        sa.select(DocumentLink.source_id)
        .join(step, step.source_id == DocumentLink.target_id)
        .join(invoice, invoice.id == step.target_id)
        .where(DocumentLink.source_id == order.id, invoice.kind.in_(INVOICE_KINDS))
    )
    return sa.or_(direct.exists(), through.exists())


@cache
def _uninvoiced_orders() -> sa.Select[Decimal]:
    return sa.select(sum_of(Document.gross_total - Document.paid_total)).where(
        Document.kind == DocumentKind.ZK,
        Document.company_id == sa.bindparam("company"),
        # Excluding the few failed statuses (not naming the many others) leaves PostgreSQL
        # the partner's own orders to read, not every order in an open status.
        Document.status_id.not_in(sa.bindparam("failed", expanding=True)),
        ~invoiced(Document),
    )


def uninvoiced_orders_total(company_id: int) -> Decimal:
    """Placed orders without an invoice yet, less what was paid for them in advance."""
    total = db.session.scalar(
        _uninvoiced_orders(), {"company": company_id, "failed": status_ids(StatusType.FAILURE)}
    )
    return total if total is not None else ZERO


def exposure(company: Company) -> Decimal:
    return open_documents_total(company.id) + uninvoiced_orders_total(company.id)


AWAITING_CREDIT = (
    RmaStatus.APPROVED,
    RmaStatus.IN_TRANSIT,
    RmaStatus.RECEIVED,
    RmaStatus.INSPECTED,
)
"""Approved RMAs whose correction (KOR) is not issued yet: resolving issues it."""


@cache
def _credits_to_come() -> sa.Select[Decimal, Decimal]:
    return (
        sa.select(DocumentLine.net, DocumentLine.vat_percent)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
        .where(
            Document.company_id == sa.bindparam("company"),
            Document.kind == DocumentKind.RMA,
            RmaInfo.status.in_(AWAITING_CREDIT),
            RmaLine.resolution.in_((Resolution.REFUND, Resolution.CREDIT)),
        )
    )


def pending_rma_credits(company: Company) -> Decimal:
    """Credits the partner can expect from open RMAs: the gross of the lines to be refunded or
    credited on RMAs approved and not yet resolved (a KOR then takes their place)."""
    rows = db.session.execute(_credits_to_come(), {"company": company.id})
    return sum((gross_of(net, percent) for net, percent in rows), ZERO)
