"""Documents: every kind in one table, with lines, events (the timeline) and messages.

A document gets its number when it is issued (a ZK when placed); drafts have none. Kind-
specific details live in 1:1 tables (orders: order_info).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Timestamped, utcnow
from portal.core.money import Money, Percent, Quantity
from portal.core.types import enum_column

if TYPE_CHECKING:
    from portal.accounts.models import Company, User
    from portal.orders.models import OrderInfo, OrderStatus


class DocumentKind(enum.StrEnum):
    ZK = "ZK"  # customer order
    WZ = "WZ"  # warehouse issue (delivery note)
    PZ = "PZ"  # goods receipt
    PW = "PW"  # stock-in
    RW = "RW"  # write-off
    MM = "MM"  # warehouse transfer
    FS = "FS"  # sales invoice
    PA = "PA"  # receipt
    KOR = "KOR"  # corrective invoice
    KP = "KP"  # payment in
    KW = "KW"  # payment out
    RMA = "RMA"  # return or complaint
    ZD = "ZD"  # purchase order to a supplier
    ZW = "ZW"  # customer return receipt


class DocumentSeries(Base):
    """One row per kind and period; `last_number` is taken inside the issuing transaction."""

    __tablename__ = "document_series"

    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, 4), primary_key=True)
    period: Mapped[str] = mapped_column(sa.String(7), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Document(Timestamped, Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, 4))
    number: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    issued_on: Mapped[date | None] = mapped_column()
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"))
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    status_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_statuses.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    """The partner user the document belongs to (the buyer of an order)."""
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    """Who made it: the buyer, or a rep or staff member acting for the partner."""
    net_total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    vat_total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    gross_total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    company: Mapped[Company | None] = relationship(lazy="raise_on_sql")
    status: Mapped[OrderStatus | None] = relationship(lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    created_by: Mapped[User | None] = relationship(
        foreign_keys=[created_by_id], lazy="raise_on_sql"
    )
    order: Mapped[OrderInfo | None] = relationship(
        lazy="raise_on_sql", uselist=False, back_populates="document"
    )

    __table_args__ = (
        sa.Index("ix_documents_company_kind_created", "company_id", "kind", "created_at"),
        sa.Index("ix_documents_kind_status", "kind", "status_id"),
        sa.Index("ix_documents_user_kind_created", "user_id", "kind", "created_at"),
    )


class DocumentLine(Base):
    __tablename__ = "document_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    position: Mapped[int] = mapped_column()
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("products.id"), index=True)
    sku: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(8))
    quantity: Mapped[Quantity] = mapped_column()
    list_price: Mapped[Money] = mapped_column()
    """Net list price when the line was made: a snapshot, like everything on a line."""
    unit_price: Mapped[Money] = mapped_column()
    """Net, after the partner's pricing and any extra discount."""
    vat_percent: Mapped[Percent] = mapped_column()
    discount: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    """Net amount taken off this line by an order-level extra discount."""
    net: Mapped[Money] = mapped_column()
    """round(unit_price x quantity) - discount."""
    reserved: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    """ZK: how much of the quantity is reserved in the order's warehouse; the rest is backorder."""

    __table_args__ = (
        sa.UniqueConstraint("document_id", "position"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"
        ),
    )

    @property
    def backorder(self) -> Decimal:
        return self.quantity - self.reserved


class EventKind(enum.StrEnum):
    CREATED = "created"
    STATUS = "status"
    CHANGED = "changed"
    NOTE = "note"
    PAYMENT = "payment"


class DocumentEvent(Base):
    """The timeline: every change, when and by whom (and for whom, when a rep acted)."""

    __tablename__ = "document_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    from_status_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_statuses.id"))
    to_status_id: Mapped[int | None] = mapped_column(sa.ForeignKey("order_statuses.id"))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise_on_sql")
    on_behalf_of: Mapped[User | None] = relationship(
        foreign_keys=[on_behalf_of_id], lazy="raise_on_sql"
    )
    to_status: Mapped[OrderStatus | None] = relationship(
        foreign_keys=[to_status_id], lazy="raise_on_sql"
    )


class DocumentMessage(Base):
    """The message thread between the partner and the seller; internal notes stay internal."""

    __tablename__ = "document_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    internal: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship(lazy="raise_on_sql")
