"""Report queries: sales, purchases, stock value and turnover, over a bounded date range.

Sales by period and by partner sum the documents' header totals (indexed by kind and issue
date); by product they read the lines of FS, PA and KOR in the range. Purchases are PZ lines
valued at quantity x unit cost. Stock value is on hand per batch x the batch's unit cost.
Products are listed by value, at most MAX_ROWS of them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from portal.accounts.models import Company
from portal.catalog.models import Product
from portal.core.db import db
from portal.core.money import ZERO, round_money, sum_of
from portal.documents.models import SALES_KINDS, Document, DocumentKind, DocumentLine, DocumentState
from portal.stock.models import Batch, BatchStock, StockLevel, StockMove, Supplier

MAX_ROWS = 1000
MAX_DAYS = 366
# Quantities are stored in thousandths and costs in hundredths: a raw product is 10**-5.
QUANTITY_X_COST = Decimal("0.00001")


class Group(enum.StrEnum):
    PERIOD = "period"
    PARTNER = "partner"
    PRODUCT = "product"
    SUPPLIER = "supplier"


class Step(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Range:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass
class Row:
    """One line of a report: a period, partner, supplier or product and its figures."""

    key: str
    label: str
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    quantity: Decimal = Decimal(0)
    documents: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def _issued(kinds: Iterable[DocumentKind], period: Range) -> sa.ColumnElement[bool]:
    return sa.and_(
        Document.kind.in_(list(kinds)),
        Document.issued_on >= period.start,
        Document.issued_on <= period.end,
        Document.state == DocumentState.ISSUED,
    )


def _bucket(day: date, step: Step) -> tuple[str, str]:
    """(sortable key, label) of the period a day falls in."""
    if step is Step.MONTH:
        return f"{day:%Y-%m}", f"{day:%Y-%m}"
    if step is Step.WEEK:
        monday = day - timedelta(days=day.weekday())
        year, week, _ = day.isocalendar()
        return monday.isoformat(), f"{year}-W{week:02d} ({monday:%m-%d})"
    return day.isoformat(), day.isoformat()


def _by_period(rows: Iterable[Any], step: Step) -> list[Row]:
    """Per-day sums folded into weeks or months (a range has at most MAX_DAYS days)."""
    buckets: dict[str, Row] = {}
    for row in rows:
        key, label = _bucket(row.day, step)
        bucket = buckets.setdefault(key, Row(key, label))
        bucket.net += row.net
        bucket.vat += row.vat
        bucket.gross += row.gross
        bucket.documents += row.documents
    return [buckets[key] for key in sorted(buckets)]


# --- sales ------------------------------------------------------------------------------------


def sales(period: Range, group: Group, step: Step = Step.MONTH) -> list[Row]:
    """Net, VAT and gross of FS, PA and KOR (corrections count negative) issued in the range."""
    issued = _issued(SALES_KINDS, period)
    totals = (
        sum_of(Document.net_total).label("net"),
        sum_of(Document.vat_total).label("vat"),
        sum_of(Document.gross_total).label("gross"),
        sa.func.count().label("documents"),
    )
    if group is Group.PERIOD:
        rows = db.session.execute(
            sa.select(Document.issued_on.label("day"), *totals)
            .where(issued)
            .group_by(Document.issued_on)
        )
        return _by_period(rows, step)
    if group is Group.PARTNER:
        per_company = (
            sa.select(Document.company_id, *totals)
            .where(issued)
            .group_by(Document.company_id)
            .subquery()
        )
        result = db.session.execute(
            sa.select(per_company, Company.name)
            .outerjoin(Company, Company.id == per_company.c.company_id)
            .order_by(per_company.c.net.desc(), Company.name)
            .limit(MAX_ROWS)
        )
        return [
            Row(
                str(row.company_id or ""),
                row.name or "-",
                row.net,
                row.vat,
                row.gross,
                documents=row.documents,
            )
            for row in result
        ]
    lines = (
        sa.select(
            DocumentLine.product_id,
            DocumentLine.sku,
            sum_of(DocumentLine.net).label("net"),
            sum_of(DocumentLine.quantity).label("quantity"),
            sa.func.count(sa.distinct(DocumentLine.document_id)).label("documents"),
        )
        .join(Document, Document.id == DocumentLine.document_id)
        .where(issued)
        .group_by(DocumentLine.product_id, DocumentLine.sku)
        .order_by(sa.literal_column("net").desc(), DocumentLine.sku)
        .limit(MAX_ROWS)
    )
    found = list(db.session.execute(lines))
    names = _product_names(row.product_id for row in found)
    return [
        Row(
            row.sku,
            f"{row.sku} {names.get(row.product_id, '')}".strip(),
            row.net,
            quantity=row.quantity,
            documents=row.documents,
        )
        for row in found
    ]


def _product_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {product_id for product_id in ids if product_id is not None}
    if not wanted:
        return {}
    return dict(
        db.session.execute(sa.select(Product.id, Product.name).where(Product.id.in_(wanted))).all()
    )


# --- purchases --------------------------------------------------------------------------------


def _raw(column: Any) -> Any:
    return sa.type_coerce(column, sa.BigInteger)


def _value(raw: Any) -> Decimal:
    return round_money(Decimal(str(raw or 0)) * QUANTITY_X_COST)


def purchases(period: Range, group: Group, step: Step = Step.MONTH) -> list[Row]:
    """Goods received (PZ): value = quantity x unit cost, by supplier, product or period."""
    value = sa.func.sum(_raw(DocumentLine.quantity) * _raw(DocumentLine.unit_cost)).label("value")
    quantity = sum_of(DocumentLine.quantity).label("quantity")
    base = (
        sa.select()
        .select_from(DocumentLine)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(_issued([DocumentKind.PZ], period))
    )
    if group is Group.PERIOD:
        per_day = db.session.execute(
            base.add_columns(
                Document.issued_on.label("day"),
                value,
                sa.func.count(sa.distinct(Document.id)).label("documents"),
            ).group_by(Document.issued_on)
        )
        folded = [
            _PeriodRow(row.day, _value(row.value), ZERO, _value(row.value), row.documents)
            for row in per_day
        ]
        return _by_period(folded, step)
    if group is Group.PRODUCT:
        rows = list(
            db.session.execute(
                base.add_columns(
                    DocumentLine.product_id,
                    DocumentLine.sku,
                    value,
                    quantity,
                    sa.func.count(sa.distinct(Document.id)).label("documents"),
                )
                .group_by(DocumentLine.product_id, DocumentLine.sku)
                .order_by(sa.literal_column("value").desc(), DocumentLine.sku)
                .limit(MAX_ROWS)
            )
        )
        names = _product_names(row.product_id for row in rows)
        return [
            Row(
                row.sku,
                f"{row.sku} {names.get(row.product_id, '')}".strip(),
                _value(row.value),
                quantity=row.quantity,
                documents=row.documents,
            )
            for row in rows
        ]
    rows = list(
        db.session.execute(
            base.add_columns(
                Document.supplier_id,
                Supplier.name,
                value,
                sa.func.count(sa.distinct(Document.id)).label("documents"),
            )
            .outerjoin(Supplier, Supplier.id == Document.supplier_id)
            .group_by(Document.supplier_id, Supplier.name)
            .order_by(sa.literal_column("value").desc(), Supplier.name)
            .limit(MAX_ROWS)
        )
    )
    return [
        Row(str(row.supplier_id or ""), row.name or "-", _value(row.value), documents=row.documents)
        for row in rows
    ]


@dataclass(frozen=True)
class _PeriodRow:
    day: date
    net: Decimal
    vat: Decimal
    gross: Decimal
    documents: int


# --- stock ------------------------------------------------------------------------------------


@dataclass
class StockRow:
    product_id: int
    sku: str
    name: str
    on_hand: Decimal
    value: Decimal
    issued: Decimal
    """What left on WZ in the range."""
    average: Decimal
    """(Stock at the start of the range + stock at its end) / 2."""

    @property
    def turnover(self) -> Decimal | None:
        """Times the average stock was issued in the range."""
        if self.average <= 0:
            return None
        return (self.issued / self.average).quantize(Decimal("0.01"))


def _per_product(query: Any) -> dict[int, Any]:
    return {row[0]: row[1] for row in db.session.execute(query)}


def stock(period: Range) -> list[StockRow]:
    """Stock value now, and turnover over the range, per product with stock or issues."""
    values = db.session.execute(
        sa.select(
            BatchStock.product_id,
            sum_of(BatchStock.on_hand).label("on_hand"),
            sa.func.sum(_raw(BatchStock.on_hand) * _raw(Batch.unit_cost)).label("value"),
        )
        .join(Batch, Batch.id == BatchStock.batch_id)
        .group_by(BatchStock.product_id)
    )
    by_product = {row.product_id: (row.on_hand, _value(row.value)) for row in values}
    now = _per_product(
        sa.select(StockLevel.product_id, sum_of(StockLevel.on_hand)).group_by(StockLevel.product_id)
    )
    after_end = _per_product(
        sa.select(StockMove.product_id, sum_of(StockMove.quantity))
        .where(StockMove.moved_on > period.end)
        .group_by(StockMove.product_id)
    )
    within = _per_product(
        sa.select(StockMove.product_id, sum_of(StockMove.quantity))
        .where(StockMove.moved_on >= period.start, StockMove.moved_on <= period.end)
        .group_by(StockMove.product_id)
    )
    issued = _per_product(
        sa.select(DocumentLine.product_id, sum_of(DocumentLine.quantity))
        .join(Document, Document.id == DocumentLine.document_id)
        .where(_issued([DocumentKind.WZ], period), DocumentLine.product_id.is_not(None))
        .group_by(DocumentLine.product_id)
    )
    ids = set(by_product) | set(issued)
    ranked = sorted(ids, key=lambda pid: (-by_product.get(pid, (0, ZERO))[1], pid))[:MAX_ROWS]
    products = {
        product.id: product
        for product in db.session.scalars(sa.select(Product).where(Product.id.in_(ranked)))
    }
    zero = Decimal(0)
    rows = []
    for product_id in ranked:
        product = products.get(product_id)
        on_hand, value = by_product.get(product_id, (zero, ZERO))
        closing = now.get(product_id, zero) - after_end.get(product_id, zero)
        opening = closing - within.get(product_id, zero)
        rows.append(
            StockRow(
                product_id=product_id,
                sku=product.sku if product else "",
                name=product.name if product else "",
                on_hand=on_hand,
                value=value,
                issued=issued.get(product_id, zero),
                average=((opening + closing) / 2).quantize(Decimal("0.001")),
            )
        )
    return rows
