"""Reads for the office's RMA screens: the queue (keyset-paginated, filters on indexed
columns), one RMA's page, and the open RMAs of a set of partners (the rep dashboard)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from portal.accounts.models import Company, User
from portal.core.clock import local_today
from portal.core.db import db, one_of
from portal.documents.models import (
    Document,
    DocumentKind,
    DocumentLine,
    DocumentMessage,
    DocumentTag,
    ReasonCode,
)
from portal.documents.queries import DocumentPage, document_page
from portal.fulfilment.models import Shipment
from portal.returns.handling import ClaimLine, claim_lines
from portal.returns.models import (
    OPEN_STATUSES,
    RmaInfo,
    RmaKind,
    RmaLine,
    RmaPhoto,
    RmaStatus,
)

PAGE_SIZE = 30
AGES = (2, 7, 14, 30)
"""Age filter choices: submitted at least this many days ago."""


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    status: RmaStatus | None = None
    kind: RmaKind | None = None
    partner: int | None = None
    reason: int | None = None
    age: int | None = None
    tag: str = ""
    after: tuple[date, int] | None = None
    """Keyset cursor: (issued_on, id) of the last row shown."""

    def args(self, **changes: object) -> dict[str, str]:
        values: dict[str, object] = {
            "q": self.q,
            "status": self.status.value if self.status else "",
            "kind": self.kind.value if self.kind else "",
            "partner": self.partner or "",
            "reason": self.reason or "",
            "age": self.age or "",
            "tag": self.tag,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class QueueRow:
    rma: Document
    info: RmaInfo
    partner: str


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    next_cursor: str | None


def parse_cursor(raw: str | None) -> tuple[date, int] | None:
    if not raw or "_" not in raw:
        return None
    day, _sep, ident = raw.partition("_")
    try:
        return date.fromisoformat(day), int(ident)
    except ValueError:
        return None


def _rmas_of_order_number(number: str) -> sa.Select[*tuple[Any, ...]]:
    order_ids = sa.select(Document.id).where(Document.number == number)
    return (
        sa.select(DocumentLine.document_id)
        .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
        .where(RmaLine.order_id.in_(order_ids))
    )


def queue(filters: QueueFilters, *, limit: int = PAGE_SIZE) -> Queue:
    """Newest first, by (issued_on, id): an index walk of documents (kind, issued_on, id)."""
    # One partner's RMAs walk its (company_id, issued_on, id) index: the kind test is then
    # written so that SQLite's planner cannot prefer the kind index (a walk of all RMAs).
    is_rma = (
        sa.func.upper(Document.kind) == DocumentKind.RMA.value
        if filters.partner is not None
        else Document.kind == DocumentKind.RMA
    )
    query = (
        sa.select(Document, RmaInfo, Company.name)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .outerjoin(Company, Company.id == Document.company_id)
        .where(is_rma)
    )
    q = filters.q.strip().upper()
    if q:
        # Resolved first, through the unique number index: an OR inside the listing's query
        # would make it walk every RMA.
        ids = set(
            db.session.scalars(
                sa.select(Document.id).where(
                    Document.number == q, Document.kind == DocumentKind.RMA
                )
            )
        )
        ids |= set(db.session.scalars(_rmas_of_order_number(q)))
        query = query.where(Document.id.in_(sorted(ids)))
    if filters.status is not None:
        query = query.where(RmaInfo.status == filters.status)
    if filters.kind is not None:
        query = query.where(RmaInfo.kind == filters.kind)
    if filters.partner is not None:
        # One partner's RMAs: its (company_id, issued_on, id) index, not a walk of all RMAs
        # (SQLite's planner would take the kind index; PostgreSQL finds it by itself).
        query = query.where(Document.company_id == filters.partner)
    if filters.reason is not None:
        with_reason = (
            sa.select(DocumentLine.id)
            .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
            .where(DocumentLine.document_id == Document.id, RmaLine.reason_id == filters.reason)
        )
        query = query.where(with_reason.exists())
    if filters.age:  # an RMA is numbered (issued) on the day it is submitted
        query = query.where(Document.issued_on <= local_today() - timedelta(days=filters.age))
    if filters.tag:
        tagged = sa.select(DocumentTag.document_id).where(
            DocumentTag.document_id == Document.id, DocumentTag.tag == filters.tag
        )
        query = query.where(tagged.exists())
    if filters.after is not None:
        day, ident = filters.after
        query = query.where(
            sa.or_(
                Document.issued_on < day,
                sa.and_(Document.issued_on == day, Document.id < ident),
            )
        )
    rows = db.session.execute(
        query.order_by(Document.issued_on.desc(), Document.id.desc()).limit(limit + 1)
    ).all()
    found = [QueueRow(rma, info, name or "") for rma, info, name in rows[:limit]]
    cursor = None
    if len(rows) > limit and found:
        last = found[-1].rma
        cursor = f"{last.issued_on}_{last.id}"
    return Queue(found, cursor)


def partners_with_rmas(limit: int = 500) -> list[tuple[int, str]]:
    """Partners for the filter (companies by name; the list is short in B2B)."""
    return [
        (ident, name)
        for ident, name in db.session.execute(
            sa.select(Company.id, Company.name).order_by(Company.name).limit(limit)
        )
    ]


def rma_reasons() -> list[ReasonCode]:
    from portal.documents.models import ReasonKind

    return list(
        db.session.scalars(
            sa.select(ReasonCode)
            .where(ReasonCode.kind.in_((ReasonKind.RETURN, ReasonKind.COMPLAINT)))
            .order_by(ReasonCode.kind, ReasonCode.position, ReasonCode.id)
        )
    )


# --- one RMA -------------------------------------------------------------------------------------


def office_rma(rma_id: int) -> tuple[Document, RmaInfo]:
    row = db.session.execute(
        sa.select(Document, RmaInfo)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .where(Document.id == rma_id, Document.kind == DocumentKind.RMA)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


@dataclass(frozen=True)
class LineView:
    claim: ClaimLine
    reason: str
    order_number: str
    delivered_on: date | None
    window_until: date | None
    filing_photos: list[RmaPhoto]
    inspection_photos: list[RmaPhoto]


@dataclass
class RmaPage:
    rma: Document
    info: RmaInfo
    company: Company | None
    buyer: User | None
    lines: list[LineView]
    document: DocumentPage
    messages: list[tuple[DocumentMessage, str]] = field(default_factory=list)
    value: Decimal = Decimal("0.00")

    @property
    def has_replacement(self) -> bool:
        from portal.returns.models import Resolution

        return any(line.claim.rma.resolution is Resolution.REPLACEMENT for line in self.lines)


def _delivered_dates(note_ids: Collection[int]) -> dict[int, date]:
    from portal.core.clock import local_date

    if not note_ids:
        return {}
    found: dict[int, date] = {}
    for note_id, delivered_at in db.session.execute(
        sa.select(Shipment.delivery_note_id, Shipment.delivered_at).where(
            Shipment.delivery_note_id.in_(list(note_ids))
        )
    ):
        if delivered_at is not None:
            found[note_id] = local_date(delivered_at)
    return found


def window_until(kind: RmaKind, delivered_on: date) -> date:
    """Until when a line delivered that day could be returned (or claimed under warranty),
    by the policy in force on its delivery date."""
    from portal.returns.eligibility import add_months, policies, policy_on

    policy = policy_on(policies(), delivered_on)
    if kind is RmaKind.RETURN:
        return delivered_on + timedelta(days=policy.return_window_days)
    return add_months(delivered_on, policy.warranty_months)


def rma_page(rma: Document, info: RmaInfo, *, today: date) -> RmaPage:
    claims = claim_lines(rma)
    reasons = {
        reason.id: reason.name
        for reason in db.session.scalars(
            sa.select(ReasonCode).where(ReasonCode.id.in_({c.rma.reason_id for c in claims}))
        )
    }
    orders = {
        ident: number or ""
        for ident, number in db.session.execute(
            sa.select(Document.id, Document.number).where(
                Document.id.in_({c.rma.order_id for c in claims})
            )
        )
    }
    delivered = _delivered_dates({c.delivered.document_id for c in claims})
    photos: dict[int, list[RmaPhoto]] = defaultdict(list)
    for photo in db.session.scalars(
        sa.select(RmaPhoto)
        .where(RmaPhoto.document_line_id.in_([c.line.id for c in claims]))
        .order_by(RmaPhoto.id)
    ):
        photos[photo.document_line_id].append(photo)
    lines = []
    for claim in claims:
        day = delivered.get(claim.delivered.document_id)
        line_photos = photos.get(claim.line.id, [])
        lines.append(
            LineView(
                claim=claim,
                reason=reasons.get(claim.rma.reason_id, ""),
                order_number=orders.get(claim.rma.order_id, ""),
                delivered_on=day,
                window_until=window_until(info.kind, day) if day else None,
                filing_photos=[p for p in line_photos if p.stage.value == "filing"],
                inspection_photos=[p for p in line_photos if p.stage.value == "inspection"],
            )
        )
    author = aliased(User)
    messages = [
        (message, name)
        for message, name in db.session.execute(
            sa.select(DocumentMessage, author.name)
            .join(author, author.id == DocumentMessage.author_id)
            .where(DocumentMessage.document_id == rma.id)
            .order_by(DocumentMessage.created_at, DocumentMessage.id)
        )
    ]
    return RmaPage(
        rma=rma,
        info=info,
        company=db.session.get(Company, rma.company_id) if rma.company_id else None,
        buyer=db.session.get(User, rma.user_id) if rma.user_id else None,
        lines=lines,
        document=document_page(rma, internal=True, today=today),
        messages=messages,
        value=sum((c.line.net for c in claims), Decimal("0.00")),
    )


def photo_of(rma: Document, photo_id: int) -> RmaPhoto:
    return db.one_or_404(
        sa.select(RmaPhoto)
        .join(DocumentLine, DocumentLine.id == RmaPhoto.document_line_id)
        .where(RmaPhoto.id == photo_id, DocumentLine.document_id == rma.id)
    )


# --- for other screens ------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRma:
    id: int
    number: str
    company_id: int
    company: str
    kind: RmaKind
    status: RmaStatus
    submitted_at: datetime


@cache  # per database kind (one_of's SQL differs): building it cost as much as running it
def _open_rmas_query(_dialect: str) -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            Document.id,
            Document.number,
            Document.company_id,
            Company.name,
            RmaInfo.kind,
            RmaInfo.status,
            RmaInfo.submitted_at,
            sa.func.count().over(),
        )
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .join(Company, Company.id == Document.company_id)
        .where(
            Document.kind == DocumentKind.RMA,
            one_of(Document.company_id, "partners"),
            RmaInfo.status.in_(sorted(OPEN_STATUSES)),
        )
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )


def open_rmas_for_companies(
    company_ids: Sequence[int], *, limit: int = 20
) -> tuple[list[OpenRma], int]:
    """The newest open RMAs (neither rejected nor closed) of these partners, and how many are
    open in all: the rep's dashboard shows both. One query, whatever the number of partners."""
    ids = list(company_ids)
    if not ids:
        return [], 0
    rows = db.session.execute(
        _open_rmas_query(db.engine.dialect.name), {"partners": ids, "limit": limit}
    ).all()
    found = [
        OpenRma(ident, number or "", company_id or 0, name, kind, status, submitted)
        for ident, number, company_id, name, kind, status, submitted, _count in rows
    ]
    return found, rows[0][7] if rows else 0
