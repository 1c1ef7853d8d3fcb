"""Credit and spending limits (DOMAIN.md "Credit and limits"; amounts gross)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company, User
from portal.core.clock import utc_start_of
from portal.core.db import db
from portal.core.money import ZERO, sum_of
from portal.documents.models import Document, DocumentKind
from portal.orders.models import OrderStatus, StatusType

# Orders that are placed but not yet shipped; shipped orders are invoiced (the invoicing area
# adds its unpaid invoices to the exposure).
OPEN_ORDER_TYPES = (StatusType.WAITING, StatusType.NEUTRAL, StatusType.PROBLEM)


def open_orders_gross(company: Company) -> Decimal:
    total = db.session.scalar(
        sa.select(sum_of(Document.gross_total))
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(
            Document.kind == DocumentKind.ZK,
            Document.company_id == company.id,
            OrderStatus.type.in_(OPEN_ORDER_TYPES),
        )
    )
    return total if total is not None else ZERO


def unpaid_invoices_gross(company: Company) -> Decimal:
    """Extended by the invoicing area; until invoices exist nothing is unpaid."""
    return ZERO


def exposure(company: Company) -> Decimal:
    """DOMAIN.md: unpaid invoices (gross − paid, KOR included) + placed, not yet invoiced
    orders (not cancelled or rejected); the payments area keeps both sums."""
    from portal.payments.balances import exposure as payments_exposure

    return payments_exposure(company)


def on_account_allowed(
    company: Company, order_gross: Decimal, *, known_exposure: Decimal | None = None
) -> bool:
    """`known_exposure`: the company's exposure when the caller has read it already."""
    if company.payment_terms_days <= 0:
        return False
    current = exposure(company) if known_exposure is None else known_exposure
    return current + order_gross <= company.credit_limit


def month_spent(user: User, today: date) -> Decimal:
    """The buyer's orders placed in the calendar month, not cancelled or rejected."""
    # The seller's calendar month, in the UTC that stored times use.
    start = utc_start_of(date(today.year, today.month, 1))
    end = utc_start_of(date(today.year + (today.month == 12), today.month % 12 + 1, 1))
    total = db.session.scalar(
        sa.select(sum_of(Document.gross_total))
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(
            Document.kind == DocumentKind.ZK,
            Document.user_id == user.id,
            Document.created_at >= start,
            Document.created_at < end,
            OrderStatus.type != StatusType.FAILURE,
        )
    )
    return total if total is not None else ZERO


def limit_exceeded(user: User, order_gross: Decimal, today: date) -> str | None:
    """Which of the buyer's limits this order would exceed, as a sentence, or None."""
    from portal.core.i18n import gettext as _
    from portal.core.templating import money

    if user.order_limit is not None and order_gross > user.order_limit:
        return _("above the per-order limit of %(limit)s", limit=money(user.order_limit))
    if user.monthly_limit is not None:
        spent = month_spent(user, today)
        if spent + order_gross > user.monthly_limit:
            return _(
                "above the monthly limit of %(limit)s (%(spent)s already ordered this month)",
                limit=money(user.monthly_limit),
                spent=money(spent),
            )
    return None
