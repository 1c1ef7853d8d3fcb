"""What a sales rep watches: the assigned partners' orders, overdue invoices, RMAs, sales.

Every read takes the ids of the partners the user may see (`partner_ids`), so a rep's
dashboard is a handful of indexed queries whatever the size of the document tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, CompanyNote, Role, User
from portal.core.clock import local_today
from portal.core.db import db
from portal.core.money import ZERO, sum_of
from portal.core.scope import visible_companies
from portal.documents.models import SALES_KINDS, Document, DocumentKind, DocumentState
from portal.orders.models import OrderStatus, StatusType
from portal.returns.models import OPEN_STATUSES, RmaInfo
from portal.returns.office_queries import OpenRma, open_rmas_for_companies

MAX_PARTNERS = 200
LIST_SIZE = 20
ATTENTION_TYPES = (StatusType.WAITING, StatusType.PROBLEM)
INVOICE_KINDS = (DocumentKind.FS, DocumentKind.PA)


def partners(user: User) -> list[Company]:
    """The active partners this user may see (a rep: the assigned ones), by name."""
    return list(
        db.session.scalars(
            sa.select(Company)
            .where(visible_companies(user), Company.active.is_(True))
            .order_by(Company.name, Company.id)
            .limit(MAX_PARTNERS)
        )
    )


def partner_for(user: User, company_id: int) -> Company:
    """One partner the user may see, or 404 (another rep's partner looks missing)."""
    return db.one_or_404(
        sa.select(Company).where(Company.id == company_id, visible_companies(user))
    )


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


@dataclass
class PartnerSales:
    company: Company
    this_month: Decimal = ZERO
    last_month: Decimal = ZERO

    @property
    def chart_row(self) -> tuple[str, list[Decimal]]:
        return self.company.name, [self.this_month, self.last_month]


@dataclass
class RepDashboard:
    partners: list[Company]
    attention: list[Document]
    """Orders of waiting or problem status type, newest first."""
    attention_counts: dict[StatusType, int]
    overdue: list[Document]
    overdue_count: int
    overdue_total: Decimal
    open_rmas: int
    rmas: list[OpenRma] = field(default_factory=list)
    """The newest open RMAs."""
    sales: list[PartnerSales] = field(default_factory=list)
    today: date = field(default_factory=date.today)


def _attention(ids: list[int]) -> tuple[list[Document], dict[StatusType, int]]:
    condition = sa.and_(
        Document.kind == DocumentKind.ZK,
        Document.company_id.in_(ids),
        Document.status_id.in_(
            sa.select(OrderStatus.id).where(OrderStatus.type.in_(ATTENTION_TYPES))
        ),
    )
    orders = list(
        db.session.scalars(
            sa.select(Document)
            .where(condition)
            .options(joinedload(Document.status), joinedload(Document.company))
            .order_by(Document.id.desc())
            .limit(LIST_SIZE)
        )
    )
    counts = {
        StatusType(status_type): count
        for status_type, count in db.session.execute(
            sa.select(OrderStatus.type, sa.func.count())
            .select_from(Document)
            .join(OrderStatus, OrderStatus.id == Document.status_id)
            .where(condition)
            .group_by(OrderStatus.type)
        )
    }
    return orders, counts


def overdue_condition(today: date) -> sa.ColumnElement[bool]:
    """FS and PA past their due date and not fully paid."""
    return sa.and_(
        Document.kind.in_(INVOICE_KINDS),
        Document.state == DocumentState.ISSUED,
        Document.due_on < today,
        Document.paid_total < Document.gross_total,
    )


def _overdue(ids: list[int], today: date) -> tuple[list[Document], int, Decimal]:
    condition = sa.and_(Document.company_id.in_(ids), overdue_condition(today))
    documents = list(
        db.session.scalars(
            sa.select(Document)
            .where(condition)
            .options(joinedload(Document.company))
            .order_by(Document.due_on, Document.id)
            .limit(LIST_SIZE)
        )
    )
    count, total = db.session.execute(
        sa.select(sa.func.count(), sum_of(Document.gross_total - Document.paid_total))
        .select_from(Document)
        .where(condition)
    ).one()
    return documents, count, total


def _open_rmas(ids: list[int]) -> int:
    """RMAs neither rejected nor closed."""
    if not ids:
        return 0
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(RmaInfo)
            .join(Document, Document.id == RmaInfo.document_id)
            .where(Document.company_id.in_(ids), RmaInfo.status.in_(sorted(OPEN_STATUSES)))
        )
        or 0
    )


def sales_by_partner(companies: list[Company], today: date) -> list[PartnerSales]:
    """Net sales (FS, PA, KOR by issue date) this month and last month, per partner."""
    this_start, last_start = month_start(today), previous_month_start(today)
    by_id = {company.id: PartnerSales(company) for company in companies}
    this_month = Document.issued_on >= this_start
    rows = db.session.execute(
        sa.select(
            Document.company_id,
            sum_of(sa.case((this_month, Document.net_total), else_=0)).label("this_month"),
            sum_of(sa.case((this_month, 0), else_=Document.net_total)).label("last_month"),
        )
        .where(
            Document.company_id.in_(list(by_id)),
            Document.issued_on >= last_start,
            Document.issued_on <= today,
            Document.kind.in_(SALES_KINDS),
            Document.state == DocumentState.ISSUED,
        )
        .group_by(Document.company_id)
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
    return RepDashboard(
        partners=companies,
        attention=attention,
        attention_counts=counts,
        overdue=overdue,
        overdue_count=overdue_count,
        overdue_total=overdue_total,
        open_rmas=_open_rmas(ids),
        rmas=open_rmas_for_companies(ids, limit=10),
        sales=sales_by_partner(companies, today),
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
