"""Staff screens of the fulfilment pipeline: the order queue, one order with its actions,
the phone-sized pick & pack screen and shipping labels."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import Blueprint, abort, flash, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal
from portal.core.web import (
    STAFF_ROLES,
    is_htmx,
    page_or_fragment,
    redirect_after_post,
    role_required,
    user,
)
from portal.documents.models import Document
from portal.fulfilment import queries, services
from portal.fulfilment.forms import HoldForm, PackForm, ScanForm
from portal.fulfilment.labels import ensure_label, label_path
from portal.fulfilment.queries import QueueFilters
from portal.orders.models import StatusType
from portal.seller.services import seller

bp = Blueprint("fulfilment", __name__, url_prefix="/office")


# --- the queue ------------------------------------------------------------------------------


def _filters() -> QueueFilters:
    after = request.args.get("after", "")
    return QueueFilters(
        q=" ".join(request.args.get("q", "").split())[:100],
        status=request.args.get("status", "")[:40],
        after_id=int(after) if after.isdigit() and len(after) < 12 else None,
    )


@bp.get("/orders")
@role_required(*STAFF_ROLES)
def queue() -> Response:
    filters = _filters()
    found = queries.queue(filters)
    orders = found[: queries.PAGE_SIZE]
    fragment = "fulfilment/_queue_rows.html" if filters.after_id else "fulfilment/_queue.html"
    return page_or_fragment(
        "fulfilment/queue.html",
        fragment,
        orders=orders,
        has_more=len(found) > queries.PAGE_SIZE,
        filters=filters,
        statuses=queries.statuses(),
        counts=queries.open_counts(),
        status_types=StatusType,
    )


# --- one order ------------------------------------------------------------------------------


@bp.get("/orders/<int:order_id>")
@role_required(*STAFF_ROLES)
def order(order_id: int) -> str:
    found = queries.order_for_staff(order_id)
    return render_template(
        "fulfilment/order.html",
        page=queries.office_order_page(found),
        order=found,
        info=found.order,
        hold_form=HoldForm(),
    )


def _act(order_id: int, action: Callable[[Document], object], done: str) -> Response:
    found = queries.order_for_staff(order_id)
    try:
        action(found)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect_after_post(url_for("fulfilment.order", order_id=order_id))


@bp.post("/orders/<int:order_id>/confirm")
@role_required(*STAFF_ROLES)
def confirm(order_id: int) -> Response:
    return _act(
        order_id,
        lambda found: services.confirm(found, actor=user()),
        _("The order is confirmed."),
    )


@bp.post("/orders/<int:order_id>/start-picking")
@role_required(*STAFF_ROLES)
def start_picking(order_id: int) -> Response:
    found = queries.order_for_staff(order_id)
    try:
        services.start_picking(found, actor=user())
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("fulfilment.order", order_id=order_id))
    return redirect_after_post(url_for("fulfilment.pick", order_id=order_id))


@bp.post("/orders/<int:order_id>/ship")
@role_required(*STAFF_ROLES)
def ship(order_id: int) -> Response:
    return _act(
        order_id,
        lambda found: services.mark_shipped(found, actor=user()),
        _("The order is marked as shipped."),
    )


@bp.post("/orders/<int:order_id>/deliver")
@role_required(*STAFF_ROLES)
def deliver(order_id: int) -> Response:
    return _act(
        order_id,
        lambda found: services.mark_delivered(found, actor=user()),
        _("The order is marked as delivered."),
    )


@bp.post("/orders/<int:order_id>/hold")
@role_required(*STAFF_ROLES)
def hold(order_id: int) -> Response:
    reason = request.form.get("reason", "")  # the service keeps the first 500 characters
    return _act(
        order_id,
        lambda found: services.hold(found, actor=user(), reason=reason),
        _("The order is on hold."),
    )


@bp.post("/orders/<int:order_id>/release")
@role_required(*STAFF_ROLES)
def release(order_id: int) -> Response:
    return _act(
        order_id,
        lambda found: services.release(found, actor=user()),
        _("The order is released from hold."),
    )


# --- pick and pack --------------------------------------------------------------------------


def _pick_page(
    found: Document,
    *,
    pack_form: PackForm | None = None,
    scan_form: ScanForm | None = None,
    errors: dict[int, str] | None = None,
    form_error: str = "",
    scanned: str = "",
    typed: MultiDict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return page_or_fragment(
        "fulfilment/pick.html",
        "fulfilment/_pick_lines.html",
        status=status,
        order=found,
        info=found.order,
        lines=queries.pick_list(found),
        pack_form=pack_form or PackForm(formdata=None, default_carrier=seller().default_carrier),
        scan_form=scan_form or ScanForm(formdata=None),
        errors=errors or {},
        form_error=form_error,
        scanned=scanned,
        typed=typed or MultiDict(),
        open_for_picking=found.status is not None
        and found.status.step is not None
        and found.status.step.value in ("confirm", "pick"),
    )


@bp.get("/orders/<int:order_id>/pick")
@role_required(*STAFF_ROLES)
def pick(order_id: int) -> Response:
    return _pick_page(queries.order_for_staff(order_id))


@bp.post("/orders/<int:order_id>/pick/scan")
@role_required(*STAFF_ROLES)
def scan(order_id: int) -> Response:
    found = queries.order_for_staff(order_id)
    form = ScanForm()
    if not form.validate():
        return _pick_page(found, scan_form=form, status=422)
    try:
        line = services.scan(found, form.code.data or "", actor=user())
    except DomainError as error:
        found = queries.order_for_staff(order_id)  # the failed scan rolled the session back
        form.code.errors = [error.message]
        return _pick_page(found, scan_form=form, status=422)
    scanned = _(
        "%(sku)s: %(picked)s of %(ordered)s",
        sku=line.sku,
        picked=_n(line.picked),
        ordered=_n(line.quantity),
    )
    if is_htmx():
        return _pick_page(queries.order_for_staff(order_id), scanned=scanned)
    flash(scanned, "success")
    return redirect_after_post(url_for("fulfilment.pick", order_id=order_id))


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _counts(found: Document) -> tuple[dict[int, Decimal], dict[int, str]]:
    counts: dict[int, Decimal] = {}
    errors: dict[int, str] = {}
    for line in services.product_lines(found):
        raw = request.form.get(f"picked_{line.id}")
        if raw is None:
            continue
        value = parse_decimal(raw) if raw.strip() else Decimal(0)
        if value is None:
            errors[line.id] = _("Type a number.")
        else:
            counts[line.id] = value
    return counts, errors


def _batches(counts: dict[int, Decimal]) -> dict[int, services.BatchChoice]:
    chosen: dict[int, services.BatchChoice] = {}
    for line_id, count in counts.items():
        raw = request.form.get(f"batch_{line_id}", "")
        if raw.isdigit() and len(raw) < 12 and count > 0:
            chosen[line_id] = [(int(raw), count)]
    return chosen


def _refused(order_id: int, error: DomainError, **context: object) -> Response:
    found = queries.order_for_staff(order_id)  # the failed command rolled the session back
    line_id = getattr(error, "line_id", None)
    errors = {line_id: error.message} if line_id else {}
    return _pick_page(
        found,
        errors=errors,
        form_error="" if line_id else error.message,
        typed=request.form,
        status=422,
        **context,  # type: ignore[arg-type]
    )


@bp.post("/orders/<int:order_id>/pick/counts")
@role_required(*STAFF_ROLES)
def save_counts(order_id: int) -> Response:
    found = queries.order_for_staff(order_id)
    counts, errors = _counts(found)
    if errors:
        return _pick_page(found, errors=errors, typed=request.form, status=422)
    try:
        services.record_picks(found, counts, actor=user())
    except DomainError as error:
        return _refused(order_id, error)
    flash(_("Counts saved."), "success")
    return redirect_after_post(url_for("fulfilment.pick", order_id=order_id))


@bp.post("/orders/<int:order_id>/pack")
@role_required(*STAFF_ROLES)
def pack(order_id: int) -> Response:
    found = queries.order_for_staff(order_id)
    form = PackForm(default_carrier=seller().default_carrier)
    counts, errors = _counts(found)
    if not form.validate() or errors:
        return _pick_page(found, pack_form=form, errors=errors, typed=request.form, status=422)
    try:
        shipment = services.pack(
            found,
            actor=user(),
            carrier=form.carrier.data or "",
            parcels=form.parcels.data or 1,
            tracking_number=form.tracking_number.data or "",
            picks=counts,
            batches=_batches(counts),
        )
    except DomainError as error:
        return _refused(order_id, error, pack_form=form)
    flash(
        _(
            "Packed. Delivery note issued; tracking number %(tracking)s.",
            tracking=shipment.tracking_number or "—",
        ),
        "success",
    )
    return redirect_after_post(url_for("fulfilment.order", order_id=order_id))


# --- labels -------------------------------------------------------------------------------


@bp.get("/shipments/<int:shipment_id>/label.pdf")
@role_required(*STAFF_ROLES)
def label(shipment_id: int) -> Response:
    shipment = queries.shipment_for_staff(shipment_id)
    path = label_path(ensure_label(shipment))
    if not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=f"label-{shipment.tracking_number or shipment.id}.pdf",
        max_age=0,
    )
