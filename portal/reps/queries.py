"""What a sales rep watches: the assigned partners' orders, overdue invoices, RMAs, sales.

Every read takes the ids of the partners the user may see (`partner_ids`), so a rep's
dashboard is a handful of indexed queries whatever the size of the document tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, CompanyNote, Role, User
from portal.core.clock import local_today
from portal.core.db import db, one_of
from portal.core.money import ZERO, Cents, sum_of
from portal.core.scope import visible_companies
from portal.documents.models import SALES_KINDS, Document, DocumentKind, DocumentState
from portal.orders.models import OrderStatus, StatusType
from portal.orders.statuses import status_ids
from portal.returns.office_queries import OpenRma, open_rmas_for_companies

MAX_PARTNERS = 200
LIST_SIZE = 20
CHART_SIZE = 15
ATTENTION_TYPES = (StatusType.WAITING, StatusType.PROBLEM)
INVOICE_KINDS = (DocumentKind.FS, DocumentKind.PA)


def partners(user: User) -> list[Partner]:
    """The active partners this user may see (a rep: the assigned ones), by name."""
    return [
        Partner(company_id, name)
        for company_id, name in db.session.execute(
            sa.select(Company.id, Company.name)
            .where(visible_companies(user), Company.active.is_(True))
            .order_by(Company.name, Company.id)
            .limit(MAX_PARTNERS)
        )
    ]


def partner_for(user: User, company_id: int) -> Company:
    """One partner the user may see, or 404 (another rep's partner looks missing)."""
    return db.one_or_404(
        sa.select(Company).where(Company.id == company_id, visible_companies(user))
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


# The dashboard reads plain columns into these rows rather than ORM objects: a hundred
# partners' worth of identity-mapped objects was most of the page's time.
@dataclass(frozen=True, slots=True)
class Partner:
    id: int
    name: str


@dataclass(slots=True)
class PartnerSales:
    id: int
    name: str
    this_month: Decimal = ZERO
    last_month: Decimal = ZERO

    @property
    def chart_row(self) -> tuple[str, list[Decimal]]:
        return self.name, [self.this_month, self.last_month]


@dataclass(frozen=True, slots=True)
class AttentionOrder:
    id: int
    number: str | None
    company: str
    created_at: datetime
    status_name: str
    status_type: StatusType
    gross_total: Decimal


@dataclass(frozen=True, slots=True)
class OverdueInvoice:
    id: int
    number: str | None
    company: str
    due_on: date | None
    open_amount: Decimal


@dataclass
class RepDashboard:
    partners: list[Partner]
    attention: list[AttentionOrder]
    """Orders of waiting or problem status type, newest first."""
    attention_counts: dict[StatusType, int]
    overdue: list[OverdueInvoice]
    overdue_count: int
    overdue_total: Decimal
    open_rmas: int
    rmas: list[OpenRma] = field(default_factory=list)
    """The newest open RMAs."""
    sales: list[PartnerSales] = field(default_factory=list)
    """Every partner, by name."""
    top_sales: list[PartnerSales] = field(default_factory=list)
    """The partners with the highest sales this month, for the chart."""
    today: date = field(default_factory=date.today)


# The dashboard's statements are built once per database kind (one_of's SQL differs): a
# hundred partners made building them cost as much as running them.
@cache
def _attention_query(_dialect: str) -> sa.Select[*tuple[Any, ...]]:
    counts = [
        sa.func.sum(sa.case((OrderStatus.type == status_type, 1), else_=0)).over()
        for status_type in ATTENTION_TYPES
    ]
    return (
        sa.select(
            Document.id,
            Document.number,
            Company.name,
            Document.created_at,
            OrderStatus.name,
            OrderStatus.type,
            Document.gross_total,
            *counts,
        )
        .join(Company, Company.id == Document.company_id)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(
            Document.kind == DocumentKind.ZK,
            one_of(Document.company_id, "partners"),
            Document.status_id.in_(sa.bindparam("statuses", expanding=True)),
        )
        .order_by(Document.id.desc())
        .limit(LIST_SIZE)
    )


def _attention(ids: list[int]) -> tuple[list[AttentionOrder], dict[StatusType, int]]:
    """The newest orders of waiting or problem status type, and how many there are of each
    type: one query, the counts taken over every matching row before the limit."""
    rows = db.session.execute(
        _attention_query(db.engine.dialect.name),
        {"partners": ids, "statuses": status_ids(*ATTENTION_TYPES)},
    ).all()
    orders = [AttentionOrder(*row[:7]) for row in rows]
    totals = rows[0][7:] if rows else [0] * len(ATTENTION_TYPES)
    return orders, {
        status_type: int(total)
        for status_type, total in zip(ATTENTION_TYPES, totals, strict=True)
        if total
    }


def overdue_condition(today: date | sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """FS and PA past their due date and not fully paid."""
    return sa.and_(
        Document.kind.in_(INVOICE_KINDS),
        Document.state == DocumentState.ISSUED,
        Document.due_on < today,
        Document.paid_total < Document.gross_total,
    )


@cache
def _overdue_query(_dialect: str) -> sa.Select[*tuple[Any, ...]]:
    open_amount = Document.gross_total - Document.paid_total
    return (
        sa.select(
            Document.id,
            Document.number,
            Company.name,
            Document.due_on,
            sa.type_coerce(open_amount, Cents()),
            sa.func.count().over(),
            sa.type_coerce(sa.func.sum(open_amount).over(), Cents()),
        )
        .join(Company, Company.id == Document.company_id)
        .where(
            one_of(Document.company_id, "partners"),
            overdue_condition(sa.bindparam("today", type_=sa.Date())),
        )
        .order_by(Document.due_on, Document.id)
        .limit(LIST_SIZE)
    )


def _overdue(ids: list[int], today: date) -> tuple[list[OverdueInvoice], int, Decimal]:
    """The first overdue invoices by due date, and how many there are and what they sum to:
    one query, the count and the sum taken over every matching row before the limit."""
    rows = db.session.execute(
        _overdue_query(db.engine.dialect.name), {"partners": ids, "today": today}
    ).all()
    documents = [OverdueInvoice(*row[:5]) for row in rows]
    return (documents, rows[0][5], rows[0][6]) if rows else (documents, 0, ZERO)


@cache
def _sales_query(_dialect: str) -> sa.Select[*tuple[Any, ...]]:
    this_month = Document.issued_on >= sa.bindparam("this_start", type_=sa.Date())
    return (
        sa.select(
            Document.company_id,
            sum_of(sa.case((this_month, Document.net_total), else_=0)).label("this_month"),
            sum_of(sa.case((this_month, 0), else_=Document.net_total)).label("last_month"),
        )
        .where(
            one_of(Document.company_id, "partners", sifts_many=True),
            Document.issued_on >= sa.bindparam("last_start", type_=sa.Date()),
            Document.issued_on <= sa.bindparam("today", type_=sa.Date()),
            Document.kind.in_(SALES_KINDS),
            Document.state == DocumentState.ISSUED,
        )
        .group_by(Document.company_id)
    )


def sales_by_partner(companies: list[Partner], today: date) -> list[PartnerSales]:
    """Net sales (FS, PA, KOR by issue date) this month and last month, per partner."""
    by_id = {company.id: PartnerSales(company.id, company.name) for company in companies}
    rows = db.session.execute(
        _sales_query(db.engine.dialect.name),
        {
            "partners": list(by_id),
            "this_start": month_start(today),
            "last_start": previous_month_start(today),
            "today": today,
        },
    )
    for company_id, this_total, last_total in rows:
        by_id[company_id].this_month = this_total
        by_id[company_id].last_month = last_total
    return list(by_id.values())


def dashboard(user: User) -> RepDashboard:
    companies = partners(user)
    ids = [company.id for company in companies]
    today = local_today()
    attention, counts = _attention(ids)
    overdue, overdue_count, overdue_total = _overdue(ids, today)
    sales = sales_by_partner(companies, today)
    rmas, open_count = open_rmas_for_companies(ids, limit=10)
    return RepDashboard(
        partners=companies,
        attention=attention,
        attention_counts=counts,
        overdue=overdue,
        overdue_count=overdue_count,
        overdue_total=overdue_total,
        open_rmas=open_count,
        rmas=rmas,
        sales=sales,
        top_sales=sorted(sales, key=attrgetter("this_month"), reverse=True)[:CHART_SIZE],
        today=today,
    )


def contacts(company: Company) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.company_id == company.id,
                User.role.in_((Role.BUYER, Role.PARTNER_ADMIN)),
            )
            .order_by(User.active.desc(), User.name)
        )
    )


def recent_orders(company: Company, limit: int = 10) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.company_id == company.id, Document.kind == DocumentKind.ZK)
            .options(joinedload(Document.status), joinedload(Document.user))
            .order_by(Document.created_at.desc(), Document.id.desc())
            .limit(limit)
        )
    )


def notes(company: Company, limit: int = 100) -> list[CompanyNote]:
    return list(
        db.session.scalars(
            sa.select(CompanyNote)
            .where(CompanyNote.company_id == company.id)
            .options(joinedload(CompanyNote.author))
            .order_by(CompanyNote.id.desc())
            .limit(limit)
        )
    )
