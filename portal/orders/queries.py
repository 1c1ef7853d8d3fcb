"""Order reads, scoped: a buyer sees their own orders, a partner admin the company's, a rep
the assigned partners', staff everything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Role, User
from portal.core.db import db
from portal.core.scope import visible_to
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentMessage,
)
from portal.orders.models import OrderInfo, OrderStatus, StatusType, Step

PAGE_SIZE = 20


def order_scope(user: User) -> sa.ColumnElement[bool]:
    """Buyers see the orders they placed (or that were placed for them); everyone else what
    the company scope allows."""
    condition = visible_to(user, Document)
    if user.role is Role.BUYER:
        return sa.and_(condition, Document.user_id == user.id)
    return condition


@dataclass
class OrderFilters:
    q: str = ""
    status: str = ""
    """A status code, or a type prefixed with 'type:' (type:waiting)."""
    date_from: date | None = None
    date_to: date | None = None
    before_id: int | None = None
    """Keyset pagination: orders older than this id ('load more')."""


def orders_for(user: User, filters: OrderFilters, limit: int = PAGE_SIZE) -> list[Document]:
    query = (
        sa.select(Document)
        .where(Document.kind == DocumentKind.ZK, order_scope(user))
        .options(joinedload(Document.status), joinedload(Document.order), joinedload(Document.user))
    )
    if filters.q:
        text = filters.q.strip()
        pattern = f"%{text}%"
        by_line = sa.select(DocumentLine.document_id).where(DocumentLine.sku == text.upper())
        query = query.where(
            sa.or_(
                Document.number.ilike(pattern),
                Document.id.in_(
                    sa.select(OrderInfo.document_id).where(
                        OrderInfo.customer_reference.ilike(pattern)
                    )
                ),
                Document.id.in_(by_line),
            )
        )
    if filters.status.startswith("type:"):
        types = [t for t in StatusType if t.value == filters.status[5:]]
        query = query.where(
            Document.status_id.in_(sa.select(OrderStatus.id).where(OrderStatus.type.in_(types)))
        )
    elif filters.status:
        query = query.where(
            Document.status_id.in_(
                sa.select(OrderStatus.id).where(OrderStatus.code == filters.status)
            )
        )
    if filters.date_from:
        query = query.where(
            Document.created_at >= datetime.combine(filters.date_from, datetime.min.time())
        )
    if filters.date_to:
        query = query.where(
            Document.created_at
            < datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time())
        )
    if filters.before_id:
        query = query.where(Document.id < filters.before_id)
    return list(db.session.scalars(query.order_by(Document.id.desc()).limit(limit + 1)))


def order_for(user: User, order_id: int) -> Document:
    """One order the user may see, or 404."""
    return db.one_or_404(
        sa.select(Document)
        .where(Document.id == order_id, Document.kind == DocumentKind.ZK, order_scope(user))
        .options(
            joinedload(Document.status),
            joinedload(Document.order),
            joinedload(Document.user),
            joinedload(Document.created_by),
            joinedload(Document.company),
        )
    )


def line_for(order: Document, line_id: int) -> DocumentLine:
    return db.one_or_404(
        sa.select(DocumentLine).where(
            DocumentLine.id == line_id, DocumentLine.document_id == order.id
        )
    )


@dataclass
class OrderPage:
    order: Document
    lines: list[DocumentLine]
    events: list[DocumentEvent]
    messages: list[DocumentMessage]


def order_page(order: Document, *, internal: bool) -> OrderPage:
    lines = list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id)
            .order_by(DocumentLine.position)
        )
    )
    events = list(
        db.session.scalars(
            sa.select(DocumentEvent)
            .where(DocumentEvent.document_id == order.id)
            .options(
                joinedload(DocumentEvent.actor),
                joinedload(DocumentEvent.on_behalf_of),
                joinedload(DocumentEvent.to_status),
            )
            .order_by(DocumentEvent.at, DocumentEvent.id)
        )
    )
    messages_query = (
        sa.select(DocumentMessage)
        .where(DocumentMessage.document_id == order.id)
        .options(joinedload(DocumentMessage.author))
        .order_by(DocumentMessage.created_at, DocumentMessage.id)
    )
    if not internal:
        messages_query = messages_query.where(DocumentMessage.internal.is_(False))
    return OrderPage(order, lines, events, list(db.session.scalars(messages_query)))


def awaiting_approval(admin: User) -> list[Document]:
    """Orders of the admin's company that wait for a partner admin's decision."""
    if admin.role is not Role.PARTNER_ADMIN:
        return []
    return list(
        db.session.scalars(
            sa.select(Document)
            .join(OrderStatus, OrderStatus.id == Document.status_id)
            .where(
                Document.kind == DocumentKind.ZK,
                Document.company_id == admin.company_id,
                OrderStatus.step == Step.HOLD_FOR_APPROVAL,
            )
            .options(
                joinedload(Document.user), joinedload(Document.order), joinedload(Document.status)
            )
            .order_by(Document.id)
        )
    )


def status_choices() -> list[OrderStatus]:
    return list(db.session.scalars(sa.select(OrderStatus).order_by(OrderStatus.position)))
