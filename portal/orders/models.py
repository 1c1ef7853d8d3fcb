"""Order statuses (configurable data with a type) and the ZK's own details."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import Money, Percent
from portal.core.types import enum_column

if TYPE_CHECKING:
    from portal.documents.models import Document


class StatusType(enum.StrEnum):
    """The type, not the name, drives behaviour and dashboards."""

    WAITING = "waiting"
    SUCCESS = "success"
    FAILURE = "failure"
    PROBLEM = "problem"
    NEUTRAL = "neutral"


class Step(enum.StrEnum):
    """Pipeline steps; each moves an order to the status configured for it."""

    PLACE = "place"
    HOLD_FOR_APPROVAL = "hold_for_approval"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    DELIVER = "deliver"
    HOLD = "hold"


# The default statuses' names are data (migration 0004); listed here so that the translation
# catalogs keep them: templates show them through _(status.name).
DEFAULT_STATUS_NAMES = (
    _l("Awaiting approval"),
    _l("New"),
    _l("Confirmed"),
    _l("Picking"),
    _l("Packed"),
    _l("Shipped"),
    _l("Delivered"),
    _l("On hold"),
    _l("Cancelled"),
    _l("Rejected"),
)


class OrderStatus(Base):
    __tablename__ = "order_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    type: Mapped[StatusType] = mapped_column(enum_column(StatusType))
    position: Mapped[int] = mapped_column(default=0)
    step: Mapped[Step | None] = mapped_column(enum_column(Step), unique=True)
    notify_partner: Mapped[bool] = mapped_column(default=False)


class OrderStatusTransition(Base):
    __tablename__ = "order_status_transitions"

    from_status_id: Mapped[int] = mapped_column(
        sa.ForeignKey("order_statuses.id"), primary_key=True
    )
    to_status_id: Mapped[int] = mapped_column(sa.ForeignKey("order_statuses.id"), primary_key=True)


class DeliveryMethod(enum.StrEnum):
    PICKUP = "pickup"
    COURIER = "courier"


class PaymentMethod(enum.StrEnum):
    ON_ACCOUNT = "on_account"
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"


class PaymentState(enum.StrEnum):
    NOT_DUE = "not_due"
    """On account: paid against the invoice later."""
    AWAITING = "awaiting"
    """Prepayment (transfer or card) not received yet."""
    PAID = "paid"
    REFUNDED = "refunded"


class OrderInfo(Base):
    """What only a customer order (ZK) has."""

    __tablename__ = "order_info"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_reference: Mapped[str] = mapped_column(sa.String(60), default="")
    """The customer's own PO number."""
    message: Mapped[str] = mapped_column(sa.Text, default="")
    ship_label: Mapped[str] = mapped_column(sa.String(100), default="")
    ship_recipient: Mapped[str] = mapped_column(sa.String(200), default="")
    ship_street: Mapped[str] = mapped_column(sa.String(200), default="")
    ship_postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    ship_city: Mapped[str] = mapped_column(sa.String(100), default="")
    ship_country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    ship_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    delivery_method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod))
    delivery_net: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    requested_delivery_on: Mapped[date | None] = mapped_column()
    payment_method: Mapped[PaymentMethod] = mapped_column(enum_column(PaymentMethod))
    payment_state: Mapped[PaymentState] = mapped_column(enum_column(PaymentState))
    stripe_session_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    extra_discount_percent: Mapped[Percent | None] = mapped_column()
    extra_discount_amount: Mapped[Money | None] = mapped_column()
    approval_reason: Mapped[str] = mapped_column(sa.String(300), default="")
    """Why the order waits for a partner admin (which limit it exceeded)."""
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    rejection_reason: Mapped[str] = mapped_column(sa.Text, default="")

    document: Mapped[Document] = relationship(lazy="raise_on_sql", back_populates="order")

    @property
    def ship_lines(self) -> list[str]:
        return [
            line
            for line in (
                self.ship_recipient,
                self.ship_street,
                f"{self.ship_postal_code} {self.ship_city}".strip(),
                self.ship_country,
            )
            if line
        ]
