"""Staff screens: the office dashboard, reports and the mail queue."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, make_response, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.backoffice import queries, reports
from portal.core.clock import local_today
from portal.core.db import db
from portal.core.i18n import gettext as _
from portal.core.money import ZERO
from portal.core.web import STAFF_ROLES, redirect_after_post, role_required
from portal.notifications.delivery import retry
from portal.notifications.models import MailStatus, OutboxMessage
from portal.orders.models import Step

bp = Blueprint("backoffice", __name__, url_prefix="/office")


def _mail_counts() -> dict[MailStatus, int]:
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    return {MailStatus(status): count for status, count in rows}


@bp.get("")
@role_required(*STAFF_ROLES)
def dashboard() -> str:
    return render_template(
        "backoffice/dashboard.html",
        mail_counts=_mail_counts(),
        tiles=queries.tiles(local_today()),
        confirmed_code=queries.status_code(Step.CONFIRM),
        low_shown=queries.LOW_STOCK_SHOWN,
    )


# --- reports ----------------------------------------------------------------------------------

ROWS_SHOWN = 100
"""Rows a report page shows; the CSV has every row."""
REPORT_GROUPS = {
    "sales": (reports.Group.PERIOD, reports.Group.PARTNER, reports.Group.PRODUCT),
    "purchases": (reports.Group.PERIOD, reports.Group.SUPPLIER, reports.Group.PRODUCT),
    "stock": (reports.Group.PRODUCT,),
}


@dataclass
class ReportFilters:
    period: reports.Range
    group: reports.Group
    step: reports.Step
    errors: dict[str, str] = field(default_factory=dict)

    def args(self, **changes: str) -> dict[str, str]:
        values = {
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "group": self.group.value,
            "by": self.step.value,
        }
        values.update(changes)
        return values


def _report_filters(report: str) -> ReportFilters:
    args = request.args
    today = local_today()
    errors: dict[str, str] = {}

    def as_date(name: str, default: date) -> date:
        raw = args.get(name, "").strip()
        if not raw:
            return default
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("Enter a date such as %(example)s.", example=default.isoformat())
            return default

    start = as_date("from", today.replace(day=1))
    end = as_date("to", today)
    if not errors and end < start:
        errors["to"] = _("The end date comes before the start date.")
    elif not errors and (end - start).days >= reports.MAX_DAYS:
        errors["to"] = _("Choose at most %(days)d days.", days=reports.MAX_DAYS)
    if errors:
        start, end = today.replace(day=1), today
    groups = REPORT_GROUPS[report]
    group = next((g for g in groups if g.value == args.get("group")), groups[0])
    step = next((s for s in reports.Step if s.value == args.get("by")), reports.Step.MONTH)
    return ReportFilters(reports.Range(start, end), group, step, errors)


def _csv(
    name: str, filters: ReportFilters, header: list[str], rows: Sequence[Sequence[object]]
) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    filename = f"{name}-{filters.period.start}-{filters.period.end}-{filters.group.value}.csv"
    response = make_response(buffer.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _report_page(report: str, filters: ReportFilters, **context: object) -> tuple[str, int]:
    return render_template(
        f"backoffice/report_{report}.html",
        report=report,
        filters=filters,
        groups=REPORT_GROUPS[report],
        steps=list(reports.Step),
        shown=ROWS_SHOWN,
        **context,
    ), (422 if filters.errors else 200)


@bp.get("/reports")
@role_required(*STAFF_ROLES)
def reports_index() -> str:
    return render_template("backoffice/reports.html")


@bp.get("/reports/sales")
@role_required(*STAFF_ROLES)
def sales_report() -> Response | tuple[str, int]:
    filters = _report_filters("sales")
    rows = [] if filters.errors else reports.sales(filters.period, filters.group, filters.step)
    if request.args.get("format") == "csv" and not filters.errors:
        if filters.group is reports.Group.PRODUCT:
            header = ["sku", "product", "quantity", "net", "documents"]
            table = [[r.key, r.label, r.quantity, r.net, r.documents] for r in rows]
        else:
            header = [filters.group.value, "net", "vat", "gross", "documents"]
            table = [[r.label, r.net, r.vat, r.gross, r.documents] for r in rows]
        return _csv("sales", filters, header, table)
    return _report_page("sales", filters, rows=rows)


@bp.get("/reports/purchases")
@role_required(*STAFF_ROLES)
def purchases_report() -> Response | tuple[str, int]:
    filters = _report_filters("purchases")
    rows = [] if filters.errors else reports.purchases(filters.period, filters.group, filters.step)
    if request.args.get("format") == "csv" and not filters.errors:
        if filters.group is reports.Group.PRODUCT:
            header = ["sku", "product", "quantity", "value", "documents"]
            table = [[r.key, r.label, r.quantity, r.net, r.documents] for r in rows]
        else:
            header = [filters.group.value, "value", "documents"]
            table = [[r.label, r.net, r.documents] for r in rows]
        return _csv("purchases", filters, header, table)
    return _report_page("purchases", filters, rows=rows)


@bp.get("/reports/stock")
@role_required(*STAFF_ROLES)
def stock_report() -> Response | tuple[str, int]:
    filters = _report_filters("stock")
    rows = [] if filters.errors else reports.stock(filters.period)
    if request.args.get("format") == "csv" and not filters.errors:
        header = ["sku", "product", "on_hand", "value", "issued", "average_stock", "turnover"]
        table = [
            [r.sku, r.name, r.on_hand, r.value, r.issued, r.average, r.turnover or ""] for r in rows
        ]
        return _csv("stock", filters, header, table)
    return _report_page("stock", filters, rows=rows, total=sum((r.value for r in rows), ZERO))


@bp.get("/mail")
@role_required(*STAFF_ROLES)
def mail() -> str:
    problems = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(
                sa.or_(
                    OutboxMessage.status == MailStatus.FAILED,
                    sa.and_(OutboxMessage.status == MailStatus.PENDING, OutboxMessage.attempts > 0),
                )
            )
            .order_by(OutboxMessage.created_at.desc())
            .limit(200)
        )
    )
    recent = list(
        db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(30))
    )
    return render_template(
        "backoffice/mail.html", problems=problems, recent=recent, counts=_mail_counts()
    )


@bp.post("/mail/<int:message_id>/retry")
@role_required(*STAFF_ROLES)
def retry_mail(message_id: int) -> Response:
    message = db.get_or_404(OutboxMessage, message_id)
    retry(message)
    flash(_("The message will be sent again."), "success")
    return redirect_after_post(url_for("backoffice.mail"))
