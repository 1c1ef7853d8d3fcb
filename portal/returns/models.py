"""Returns and complaints (RMA): the request, its lines, photos, policies and approval rules.

An RMA is a document of kind RMA (number RMA/2026/000123 when submitted, lines, timeline,
tags, attachments, messages like every document); `RmaInfo` holds what only an RMA has and
`RmaLine` what each of its lines has beyond the document line (which delivered line it
returns, reason, resolution, inspection).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Timestamped, utcnow
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import Money, Percent, Quantity
from portal.core.types import enum_column

if TYPE_CHECKING:
    from portal.documents.models import Document


class RmaKind(enum.StrEnum):
    RETURN = "return"
    """Unwanted goods, within the return window from delivery."""
    COMPLAINT = "complaint"
    """A defect, within the warranty period from delivery."""


class RmaStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    RESOLVED = "resolved"
    CLOSED = "closed"


RMA_STATUS_NAMES = {
    RmaStatus.SUBMITTED: _l("Submitted"),
    RmaStatus.AWAITING_REVIEW: _l("Awaiting review"),
    RmaStatus.APPROVED: _l("Approved"),
    RmaStatus.REJECTED: _l("Rejected"),
    RmaStatus.IN_TRANSIT: _l("In transit"),
    RmaStatus.RECEIVED: _l("Received"),
    RmaStatus.INSPECTED: _l("Inspected"),
    RmaStatus.RESOLVED: _l("Resolved"),
    RmaStatus.CLOSED: _l("Closed"),
}

OPEN_STATUSES = frozenset(set(RmaStatus) - {RmaStatus.REJECTED, RmaStatus.CLOSED})


class Resolution(enum.StrEnum):
    REFUND = "refund"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    CREDIT = "credit"


class Condition(enum.StrEnum):
    RESELLABLE = "resellable"
    DAMAGED = "damaged"
    MISSING = "missing"
    RETURN_TO_SUPPLIER = "return_to_supplier"


class RefundState(enum.StrEnum):
    NONE = "none"
    PENDING = "pending"
    REFUNDED = "refunded"
    FAILED = "failed"
    """Stripe refused or could not be reached: visible on the RMA, and retried by staff."""


class ReturnPolicy(Base):
    """The return window and warranty in force from a date: a delivery keeps the policy in
    force on its delivery date, so changing the window later does not change old deliveries."""

    __tablename__ = "return_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(unique=True)
    return_window_days: Mapped[int] = mapped_column()
    warranty_months: Mapped[int] = mapped_column()
    restocking_fee_percent: Mapped[Percent] = mapped_column(default=Decimal("0.00"))
    """Taken off refunds and credits of returns (not complaints); 0 for none."""


class RmaInfo(Base):
    __tablename__ = "rma_info"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    kind: Mapped[RmaKind] = mapped_column(enum_column(RmaKind, 10))
    status: Mapped[RmaStatus] = mapped_column(enum_column(RmaStatus), index=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    """One RMA per submission: a double tap or a retry finds the first."""
    auto_approved: Mapped[bool] = mapped_column(default=False)
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    """What the customer is told on approval (how to pack, where to send)."""
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="")
    tracking_number: Mapped[str] = mapped_column(sa.String(60), default="")
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    received_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    refund_state: Mapped[RefundState] = mapped_column(
        enum_column(RefundState, 10), default=RefundState.NONE
    )
    refund_amount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    refund_error: Mapped[str] = mapped_column(sa.Text, default="")
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    restocking_fee: Mapped[Money] = mapped_column(default=Decimal("0.00"))

    document: Mapped[Document] = relationship(lazy="raise_on_sql")


class RmaLine(Base):
    """What an RMA line adds to its document line (whose quantity is what was claimed)."""

    __tablename__ = "rma_lines"
    __table_args__ = (
        # What is claimed on a delivered line, read from the index alone (the filing form
        # sums it for every line of a page of orders).
        sa.Index("ix_rma_lines_claims", "delivered_line_id", "claimed"),
    )

    document_line_id: Mapped[int] = mapped_column(
        sa.ForeignKey("document_lines.id"), primary_key=True
    )
    delivered_line_id: Mapped[int] = mapped_column(sa.ForeignKey("document_lines.id"))
    """The WZ line the goods left on; claims on it never add up to more than it shipped."""
    claimed: Mapped[Quantity] = mapped_column()
    """What this line claims on the delivered line: its quantity, 0 once the RMA is rejected
    (a rejected claim frees the goods for another, and stays so when the RMA is closed)."""
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    reason_id: Mapped[int] = mapped_column(sa.ForeignKey("reason_codes.id"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    resolution: Mapped[Resolution] = mapped_column(enum_column(Resolution, 12))
    accepted_quantity: Mapped[Quantity | None] = mapped_column()
    condition: Mapped[Condition | None] = mapped_column(enum_column(Condition))
    inspection_notes: Mapped[str] = mapped_column(sa.Text, default="")
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id"))
    """The batch that came back (the one the WZ line shipped)."""


class PhotoStage(enum.StrEnum):
    FILING = "filing"
    INSPECTION = "inspection"


class RmaPhoto(Timestamped, Base):
    """A photo of an RMA line: re-encoded without EXIF, with a thumbnail."""

    __tablename__ = "rma_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_line_id: Mapped[int] = mapped_column(sa.ForeignKey("document_lines.id"), index=True)
    stage: Mapped[PhotoStage] = mapped_column(enum_column(PhotoStage, 10))
    image_key: Mapped[str] = mapped_column(sa.String(80))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class RmaRule(Base):
    """Auto-approval: an RMA matching an active rule is approved at once (first match)."""

    __tablename__ = "rma_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column()
    kind: Mapped[RmaKind | None] = mapped_column(enum_column(RmaKind, 10))
    """None: both returns and complaints."""
    max_value: Mapped[Money | None] = mapped_column()
    """The RMA's net value at most this (None: any value)."""
    require_good_standing: Mapped[bool] = mapped_column(default=True)
    """The partner has no overdue invoice."""
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
