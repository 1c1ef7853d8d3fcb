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
    from portal.stock.models import Supplier, Warehouse


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


STOCK_IN_KINDS = frozenset({DocumentKind.PZ, DocumentKind.PW, DocumentKind.ZW})
STOCK_OUT_KINDS = frozenset({DocumentKind.WZ, DocumentKind.RW})
SALES_KINDS = frozenset({DocumentKind.FS, DocumentKind.PA, DocumentKind.KOR})
"""What a partner owes us: invoices, receipts and their corrections."""
PAYMENT_KINDS = frozenset({DocumentKind.KP, DocumentKind.KW})
PARTNER_KINDS = frozenset(
    {DocumentKind.WZ, DocumentKind.FS, DocumentKind.PA, DocumentKind.KOR, DocumentKind.KP}
    | {DocumentKind.KW}
)
"""Kinds a partner sees under /documents (orders and RMAs have their own areas)."""


class DocumentState(enum.StrEnum):
    """Lifecycle of every kind but the ZK, whose configurable status lives in `status_id`."""

    DRAFT = "draft"
    """No number yet; editable (a ZD being put together, a stocktake's draft PW/RW)."""
    ISSUED = "issued"
    """Numbered and immutable except for status and payment state."""
    CANCELLED = "cancelled"


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
    state: Mapped[DocumentState] = mapped_column(
        enum_column(DocumentState, 10), default=DocumentState.ISSUED
    )
    target_warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    """MM: the warehouse the goods go to (`warehouse_id` is where they leave)."""
    supplier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("suppliers.id"))
    """PZ, ZD and supplier payments (KW)."""
    due_on: Mapped[date | None] = mapped_column()
    """FS, PA, KOR: when payment is due (issue date + the partner's payment terms)."""
    paid_total: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    """Sum of payment allocations to this document (FS, PA, KOR) or from it (KP, KW)."""
    reason: Mapped[str] = mapped_column(sa.String(40), default="")
    """RW: a reason code (damage, shortage, returned_to_supplier, stocktake)."""
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    """An outside reference: supplier invoice number, transfer title, Stripe payment id."""
    note: Mapped[str] = mapped_column(sa.Text, default="")
    pdf_key: Mapped[str | None] = mapped_column(sa.String(80))
    """The stored PDF (rendered once, when issued), relative to the media root."""

    company: Mapped[Company | None] = relationship(lazy="raise_on_sql")
    status: Mapped[OrderStatus | None] = relationship(lazy="raise_on_sql")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="raise_on_sql")
    created_by: Mapped[User | None] = relationship(
        foreign_keys=[created_by_id], lazy="raise_on_sql"
    )
    order: Mapped[OrderInfo | None] = relationship(
        lazy="raise_on_sql", uselist=False, back_populates="document"
    )
    warehouse: Mapped[Warehouse | None] = relationship(
        foreign_keys=[warehouse_id], lazy="raise_on_sql"
    )
    target_warehouse: Mapped[Warehouse | None] = relationship(
        foreign_keys=[target_warehouse_id], lazy="raise_on_sql"
    )
    supplier: Mapped[Supplier | None] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.Index("ix_documents_company_kind_created", "company_id", "kind", "created_at"),
        # With the id, the order queue reads a page of ids from this index alone.
        sa.Index("ix_documents_kind_status_id", "kind", "status_id", "id"),
        sa.Index("ix_documents_user_kind_created", "user_id", "kind", "created_at"),
        sa.Index("ix_documents_kind_issued", "kind", "issued_on", "id"),
        # Sales per partner over a few months (the rep's dashboard) from the index alone.
        sa.Index(
            "ix_documents_kind_issued_sales",
            "kind",
            "issued_on",
            "company_id",
            "state",
            "net_total",
        ),
        sa.Index("ix_documents_company_issued", "company_id", "issued_on", "id"),
        sa.Index("ix_documents_issued", "issued_on", "id"),
        sa.Index("ix_documents_reference", "reference"),
    )

    @property
    def open_amount(self) -> Decimal:
        """What is still to be paid (FS, PA; negative for a KOR that lowers the debt)."""
        return self.gross_total - self.paid_total


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
    picked: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    """ZK: what the warehouse picked; less than the quantity is a short pick."""
    source_line_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("document_lines.id"), index=True
    )
    """The line this one came from: WZ <- ZK, FS/PA <- WZ, KOR <- FS/PA, ZW <- RMA."""
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("batches.id"), index=True)
    """Stock documents: the batch moved (a WZ has a line per batch shipped)."""
    unit_cost: Mapped[Money | None] = mapped_column()
    """Stock documents: purchase cost per unit (PZ), cost of what left (WZ, RW)."""

    __table_args__ = (
        sa.UniqueConstraint("document_id", "position"),
        sa.CheckConstraint("quantity <> 0", name="quantity_not_zero"),
        sa.CheckConstraint(
            "reserved >= 0 AND (reserved = 0 OR reserved <= quantity)",
            name="reserved_within_quantity",
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
    ISSUED = "issued"
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    ATTACHED = "attached"
    EMAILED = "emailed"


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
    rma_status: Mapped[str | None] = mapped_column(sa.String(20))
    """RMA timelines: the status entered (RMA statuses are fixed, not order statuses)."""

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


class DocumentLink(Base):
    """Related documents: `source` led to `target` (ZK -> WZ -> FS, FS -> KOR, KP -> FS...)."""

    __tablename__ = "document_links"

    source_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    target_id: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id"), primary_key=True, index=True
    )


class DocumentTag(Base):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(40), primary_key=True, index=True)


class DocumentAttachment(Timestamped, Base):
    """A file on a document; the content type is the one sniffed from the bytes."""

    __tablename__ = "document_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    storage_key: Mapped[str] = mapped_column(sa.String(80))
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    internal: Mapped[bool] = mapped_column(default=True)
    """Internal attachments are for staff; the partner sees only the others."""


class ReasonKind(enum.StrEnum):
    WRITE_OFF = "write_off"
    RETURN = "return"
    COMPLAINT = "complaint"


class ReasonCode(Base):
    """Admin-configurable reasons: write-offs (RW) and, per kind, returns and complaints."""

    __tablename__ = "reason_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReasonKind] = mapped_column(enum_column(ReasonKind))
    code: Mapped[str] = mapped_column(sa.String(40))
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    requires_photos: Mapped[bool] = mapped_column(default=False)
    requires_description: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (sa.UniqueConstraint("kind", "code"),)
