"""The payment state of an invoice, receipt or correction, from its amounts and the date."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

from portal.core.i18n import lazy_gettext as _l


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"


PAYMENT_STATUS_LABELS = {
    PaymentStatus.UNPAID: _l("Unpaid"),
    PaymentStatus.PARTLY_PAID: _l("Partly paid"),
    PaymentStatus.PAID: _l("Paid"),
    PaymentStatus.OVERDUE: _l("Overdue"),
}


def payment_status(
    gross: Decimal, paid: Decimal, due_on: date | None, today: date
) -> PaymentStatus:
    """Settled when nothing is open; overdue when something we are owed is open after the due
    date; otherwise unpaid or partly paid. A correction that lowers the debt (negative gross)
    is settled by a refund (KW) and is never overdue: we owe it, not the partner."""
    if gross == paid:
        return PaymentStatus.PAID
    if gross > 0 and due_on is not None and today > due_on:
        return PaymentStatus.OVERDUE
    if paid == 0:
        return PaymentStatus.UNPAID
    return PaymentStatus.PARTLY_PAID
