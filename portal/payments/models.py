"""Stripe events seen (replays and duplicates are harmless) and payment allocations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Timestamped, utcnow
from portal.core.money import Money
from portal.core.types import enum_column


class StripeEvent(Base):
    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PaymentAllocation(Timestamped, Base):
    """Part of a payment (KP, KW) applied to a document: an FS, PA or KOR, or, until the
    invoice exists, the prepaid order (ZK), moved onto the invoice when it is issued."""

    __tablename__ = "payment_allocations"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    amount: Mapped[Money] = mapped_column()
    allocated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.CheckConstraint("amount <> 0", name="amount_not_zero"),)


class PaymentChannel(enum.StrEnum):
    """How the money moved."""

    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"


class PaymentInfo(Base):
    """What only a payment (KP, KW) has: how it was paid and, for a prepayment, the order."""

    __tablename__ = "payment_info"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    channel: Mapped[PaymentChannel] = mapped_column(enum_column(PaymentChannel))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    """The order (ZK) a prepayment pays for, by bank transfer or card."""
