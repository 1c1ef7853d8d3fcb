"""Return analytics for staff: return rate per product and per partner (returned quantity /
delivered quantity over a period), the reasons, and the time from submission to resolution."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, make_response

from portal.accounts.models import Company
from portal.core.db import db
from portal.core.i18n import gettext as _
from portal.core.money import sum_of
from portal.documents.models import Document, DocumentKind, DocumentLine, ReasonCode
from portal.returns.models import RmaInfo, RmaLine, RmaStatus

TOP = 20


@dataclass(frozen=True)
class Rate:
    label: str
    returned: Decimal
    delivered: Decimal

    @property
    def percent(self) -> Decimal:
        if not self.delivered:
            return Decimal("0.0")
        return (self.returned * 100 / self.delivered).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    lines: int
    quantity: Decimal


@dataclass(frozen=True)
class ReturnsReport:
    start: date
    end: date
    products: list[Rate]
    partners: list[Rate]
    reasons: list[ReasonCount]
    resolved: int
    median_days: Decimal | None
    p90_days: Decimal | None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, datetime.min.time()), datetime.combine(
        end + timedelta(days=1), datetime.min.time()
    )


def _claimed(start: date, end: date, key: Any) -> sa.Select[Any]:
    """Claimed quantity per key on RMAs filed in the period and not rejected."""
    return (
        sa.select(key, sum_of(DocumentLine.quantity))
        .select_from(DocumentLine)
        .join(RmaLine, RmaLine.document_line_id == DocumentLine.id)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(RmaInfo, RmaInfo.document_id == Document.id)
        .where(
            Document.kind == DocumentKind.RMA,
            Document.issued_on.between(start, end),
            RmaInfo.status != RmaStatus.REJECTED,
        )
        .group_by(key)
    )


def _delivered(start: date, end: date, key: Any, ids: list[int]) -> dict[int, Decimal]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(key, sum_of(DocumentLine.quantity))
        .select_from(DocumentLine)
        .join(Document, Document.id == DocumentLine.document_id)
        .where(
            Document.kind == DocumentKind.WZ,
            Document.issued_on.between(start, end),
            key.in_(ids),
        )
        .group_by(key)
    )
    return {ident: quantity for ident, quantity in rows}


def _percentile(values: list[float], fraction: float) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return Decimal(str(ordered[index])).quantize(Decimal("0.1"))


def returns_report(start: date, end: date) -> ReturnsReport:
    # Per product: claimed against shipped (top products by returned quantity).
    product_rows = db.session.execute(
        _claimed(start, end, DocumentLine.product_id)
        .add_columns(sa.func.min(DocumentLine.sku), sa.func.min(DocumentLine.name))
        .order_by(sa.func.sum(DocumentLine.quantity).desc())
        .limit(TOP)
    ).all()
    product_ids = [row[0] for row in product_rows if row[0] is not None]
    shipped = _delivered(start, end, DocumentLine.product_id, product_ids)
    products = [
        Rate(f"{sku} {name}", returned, shipped.get(ident, Decimal(0)))
        for ident, returned, sku, name in product_rows
        if ident is not None
    ]
    partner_rows = db.session.execute(
        _claimed(start, end, Document.company_id)
        .order_by(sa.func.sum(DocumentLine.quantity).desc())
        .limit(TOP)
    ).all()
    company_ids = [row[0] for row in partner_rows if row[0] is not None]
    names: dict[int, str] = {
        ident: name
        for ident, name in db.session.execute(
            sa.select(Company.id, Company.name).where(Company.id.in_(company_ids))
        )
    }
    partner_shipped = _delivered(start, end, Document.company_id, company_ids)
    partners = [
        Rate(names.get(ident, "?"), returned, partner_shipped.get(ident, Decimal(0)))
        for ident, returned in partner_rows
        if ident is not None
    ]
    reason_rows = db.session.execute(
        sa.select(ReasonCode.name, sa.func.count(), sum_of(DocumentLine.quantity))
        .select_from(RmaLine)
        .join(DocumentLine, DocumentLine.id == RmaLine.document_line_id)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(ReasonCode, ReasonCode.id == RmaLine.reason_id)
        .where(Document.kind == DocumentKind.RMA, Document.issued_on.between(start, end))
        .group_by(ReasonCode.name)
        .order_by(sa.func.count().desc(), ReasonCode.name)
    ).all()
    reasons = [ReasonCount(name, count, quantity) for name, count, quantity in reason_rows]
    low, high = _bounds(start, end)
    spans = [
        (resolved - submitted).total_seconds() / 86400
        for submitted, resolved in db.session.execute(
            sa.select(RmaInfo.submitted_at, RmaInfo.resolved_at).where(
                RmaInfo.resolved_at >= low, RmaInfo.resolved_at < high
            )
        )
        if resolved is not None and submitted is not None
    ]
    return ReturnsReport(
        start,
        end,
        products,
        partners,
        reasons,
        len(spans),
        _percentile(spans, 0.5),
        _percentile(spans, 0.9),
    )


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def as_csv(report: ReturnsReport) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Section"), _("Name"), _("Returned"), _("Delivered"), _("Return rate, percent")]
    )
    for section, rates in ((_("Product"), report.products), (_("Partner"), report.partners)):
        for rate in rates:
            writer.writerow(
                [section, rate.label, _plain(rate.returned), _plain(rate.delivered), rate.percent]
            )
    for reason in report.reasons:
        writer.writerow([_("Reason"), reason.reason, _plain(reason.quantity), "", ""])
    writer.writerow([_("Resolved"), report.resolved, "", "", ""])
    writer.writerow([_("Median days to resolution"), report.median_days or "", "", "", ""])
    writer.writerow([_("90th percentile, days"), report.p90_days or "", "", "", ""])
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="returns-{report.start}-{report.end}.csv"'
    )
    return response
