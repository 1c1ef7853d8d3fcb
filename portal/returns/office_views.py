"""Staff screens for returns and complaints: the queue, one RMA with its actions, the
phone-sized receiving and inspection screen (the return slip's QR opens it), the photos, and
the returns report."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint, Response, flash, request, send_file, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from portal.core.clock import local_today
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import parse_decimal
from portal.core.web import STAFF_ROLES, page_or_fragment, redirect_after_post, role_required, user
from portal.documents.models import Document
from portal.documents.queries import known_tags
from portal.orders.services import post_message
from portal.returns import handling, office_queries, reports, resolution
from portal.returns.handling import HandlingError, Inspection
from portal.returns.models import (
    RMA_STATUS_NAMES,
    Condition,
    Resolution,
    RmaInfo,
    RmaKind,
    RmaStatus,
)
from portal.returns.photos import MAX_BYTES, photo_path

bp = Blueprint("returns_office", __name__, url_prefix="/office/returns")
reports_bp = Blueprint("returns_reports", __name__, url_prefix="/office/reports")

RECEIVABLE = (RmaStatus.APPROVED, RmaStatus.IN_TRANSIT)
DECIDABLE = (RmaStatus.SUBMITTED, RmaStatus.AWAITING_REVIEW)


def _status_arg() -> RmaStatus | None:
    raw = request.args.get("status", "")
    return RmaStatus(raw) if raw in RmaStatus._value2member_map_ else None


def _kind_arg() -> RmaKind | None:
    raw = request.args.get("kind", "")
    return RmaKind(raw) if raw in RmaKind._value2member_map_ else None


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


# Lazy: every page of the portal gets these, and only the pages that show one translate it.
RMA_LABELS = {
    "rma_status_names": RMA_STATUS_NAMES,
    "rma_kind_names": {RmaKind.RETURN: _l("Return"), RmaKind.COMPLAINT: _l("Complaint")},
    "resolution_names": {
        Resolution.REFUND: _l("Refund"),
        Resolution.REPLACEMENT: _l("Replacement"),
        Resolution.REPAIR: _l("Repair"),
        Resolution.CREDIT: _l("Credit"),
    },
    "condition_names": {
        Condition.RESELLABLE: _l("Resellable"),
        Condition.DAMAGED: _l("Damaged"),
        Condition.MISSING: _l("Missing"),
        Condition.RETURN_TO_SUPPLIER: _l("Return to supplier"),
    },
}


@bp.app_context_processor
def rma_labels() -> dict[str, object]:
    return RMA_LABELS


# --- the queue -----------------------------------------------------------------------------------


@bp.get("")
@role_required(*STAFF_ROLES)
def queue() -> Response:
    age = _int_arg("age")
    filters = office_queries.QueueFilters(
        q=request.args.get("q", "")[:40],
        status=_status_arg(),
        kind=_kind_arg(),
        partner=_int_arg("partner"),
        reason=_int_arg("reason"),
        age=age if age in office_queries.AGES else None,
        tag=request.args.get("tag", "")[:40].strip().lower(),
        after=office_queries.parse_cursor(request.args.get("after")),
    )
    found = office_queries.queue(filters)
    return page_or_fragment(
        "returns_office/queue.html",
        "returns_office/_queue_rows.html" if filters.after else "returns_office/_queue.html",
        queue=found,
        filters=filters,
        statuses=list(RmaStatus),
        kinds=list(RmaKind),
        partners=office_queries.partners_with_rmas(),
        reasons=office_queries.rma_reasons(),
        ages=office_queries.AGES,
        known_tags=known_tags(),
        today=local_today(),
        nav_area="office",
    )


# --- one RMA ------------------------------------------------------------------------------------


def _detail(
    rma: Document, info: RmaInfo, *, status: int = 200, **errors: str
) -> tuple[Response, int]:
    page = office_queries.rma_page(rma, info, today=local_today())
    response = page_or_fragment(
        "returns_office/detail.html",
        "returns_office/detail.html",
        page=page,
        errors=errors,
        form=request.form,
        decidable=info.status in DECIDABLE,
        receivable=info.status in RECEIVABLE,
        nav_area="office",
        status=status,
    )
    return response, status


@bp.get("/<int:rma_id>")
@role_required(*STAFF_ROLES)
def detail(rma_id: int) -> tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    return _detail(rma, info)


def _back(rma: Document, anchor: str = "") -> WerkzeugResponse:
    return redirect_after_post(url_for("returns_office.detail", rma_id=rma.id) + anchor)


@bp.post("/<int:rma_id>/approve")
@role_required(*STAFF_ROLES)
def approve(rma_id: int) -> Response | WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        replacement = handling.approve(
            rma,
            actor=user(),
            instructions=request.form.get("instructions", ""),
            ship_replacement_now=request.form.get("ship_replacement_now") == "1",
        )
    except HandlingError as error:
        return _detail(rma, info, status=422, **{error.field or "approve": error.message})
    except DomainError as error:
        return _detail(rma, info, status=error.status, approve=error.message)
    flash(_("%(number)s is approved; the customer has been told.", number=rma.number), "success")
    if replacement is not None:
        flash(_("Replacement order %(number)s placed.", number=replacement.number), "success")
    return _back(rma)


@bp.post("/<int:rma_id>/reject")
@role_required(*STAFF_ROLES)
def reject(rma_id: int) -> Response | WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        handling.reject(rma, actor=user(), reason=request.form.get("reason", ""))
    except HandlingError as error:
        return _detail(rma, info, status=422, **{error.field or "reason": error.message})
    except DomainError as error:
        return _detail(rma, info, status=error.status, reason=error.message)
    flash(_("%(number)s is rejected; the customer sees the reason.", number=rma.number), "success")
    return _back(rma)


def _quantities(prefix: str) -> tuple[dict[int, Decimal], dict[str, str]]:
    found: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for key, raw in request.form.items():
        if not key.startswith(prefix):
            continue
        ident = key.removeprefix(prefix)
        if not ident.isdigit():
            continue
        value = parse_decimal(raw)
        if value is None:
            errors[key] = _("Enter a number.")
            continue
        found[int(ident)] = value
    return found, errors


def _receive_screen(
    rma: Document, info: RmaInfo, *, status: int = 200, **errors: str
) -> tuple[Response, int]:
    page = office_queries.rma_page(rma, info, today=local_today())
    response = page_or_fragment(
        "returns_office/receive.html",
        "returns_office/receive.html",
        page=page,
        errors=errors,
        form=request.form,
        receivable=info.status in RECEIVABLE,
        conditions=list(Condition),
        max_photo_mb=MAX_BYTES // (1024 * 1024),
        nav_area="office",
        status=status,
    )
    return response, status


@bp.get("/<int:rma_id>/receive")
@role_required(*STAFF_ROLES)
def receive_screen(rma_id: int) -> tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    return _receive_screen(rma, info)


@bp.post("/<int:rma_id>/receive")
@role_required(*STAFF_ROLES)
def receive(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    quantities, errors = _quantities("quantity-")
    if errors:
        return _receive_screen(rma, info, status=422, **errors)
    try:
        handling.receive(
            rma, actor=user(), quantities=quantities, note=request.form.get("note", "")
        )
    except HandlingError as error:
        return _receive_screen(rma, info, status=422, **{error.field or "receive": error.message})
    except DomainError as error:
        return _receive_screen(rma, info, status=error.status, receive=error.message)
    flash(_("%(number)s is received. Inspect the goods now.", number=rma.number), "success")
    return redirect_after_post(url_for("returns_office.receive_screen", rma_id=rma.id))


@bp.post("/<int:rma_id>/inspect")
@role_required(*STAFF_ROLES)
def inspect(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    accepted, errors = _quantities("accepted-")
    findings = []
    for claim in handling.claim_lines(rma):
        ident = claim.line.id
        raw_condition = request.form.get(f"condition-{ident}", "")
        try:
            condition = Condition(raw_condition)
        except ValueError:
            errors[f"condition-{ident}"] = _("Choose the condition.")
            continue
        if ident not in accepted and f"accepted-{ident}" not in errors:
            errors[f"accepted-{ident}"] = _("Enter the accepted quantity.")
            continue
        photos = [
            upload.stream.read(MAX_BYTES + 1)
            for upload in request.files.getlist(f"photos-{ident}")
            if upload and upload.filename
        ]
        findings.append(
            Inspection(
                line_id=ident,
                accepted=accepted.get(ident, Decimal(0)),
                condition=condition,
                notes=request.form.get(f"notes-{ident}", ""),
                photos=photos,
            )
        )
    if errors:
        return _receive_screen(rma, info, status=422, **errors)
    try:
        booked = handling.inspect(rma, actor=user(), findings=findings)
    except HandlingError as error:
        return _receive_screen(rma, info, status=422, **{error.field or "inspect": error.message})
    except DomainError as error:
        return _receive_screen(rma, info, status=error.status, inspect=error.message)
    if booked.receipt is not None:
        flash(_("Stock booked on %(number)s.", number=booked.receipt.number), "success")
    else:
        flash(_("%(number)s is inspected.", number=rma.number), "success")
    return _back(rma)


@bp.post("/<int:rma_id>/resolve")
@role_required(*STAFF_ROLES)
def resolve(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        done = resolution.resolve(rma, actor=user())
    except DomainError as error:
        return _detail(rma, info, status=error.status, resolve=error.message)
    numbers = [doc.number for doc in (*done.corrections, *done.fees, *done.payments)]
    if done.replacement is not None:
        numbers.append(done.replacement.number)
    flash(
        _(
            "%(number)s is resolved. %(documents)s",
            number=rma.number,
            documents=", ".join(n for n in numbers if n),
        ),
        "success",
    )
    return _back(rma)


@bp.post("/<int:rma_id>/retry-refund")
@role_required(*STAFF_ROLES)
def retry_refund(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        resolution.retry_refund(rma, actor=user())
    except DomainError as error:
        return _detail(rma, info, status=error.status, refund=error.message)
    fresh = handling.info_of(rma, fresh=True)
    if fresh.refund_error:
        flash(fresh.refund_error, "error")
    else:
        flash(_("The refund went through."), "success")
    return _back(rma)


@bp.post("/<int:rma_id>/close")
@role_required(*STAFF_ROLES)
def close(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        resolution.close(rma, actor=user(), note=request.form.get("note", ""))
    except DomainError as error:
        return _detail(rma, info, status=error.status, close=error.message)
    flash(_("%(number)s is closed.", number=rma.number), "success")
    return _back(rma)


@bp.post("/<int:rma_id>/messages")
@role_required(*STAFF_ROLES)
def message(rma_id: int) -> WerkzeugResponse | tuple[Response, int]:
    rma, info = office_queries.office_rma(rma_id)
    try:
        post_message(
            rma,
            author=user(),
            body=request.form.get("body", ""),
            internal=request.form.get("internal") == "1",
        )
    except DomainError as error:
        return _detail(rma, info, status=422, message=error.message)
    return _back(rma, "#messages")


@bp.get("/<int:rma_id>/photos/<int:photo_id>")
@role_required(*STAFF_ROLES)
def photo(rma_id: int, photo_id: int) -> Response:
    rma, _info = office_queries.office_rma(rma_id)
    found = office_queries.photo_of(rma, photo_id)
    path = photo_path(found.image_key, thumb=request.args.get("size") == "thumb")
    if not path.exists():
        from flask import abort

        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=31536000)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response


# --- the report -----------------------------------------------------------------------------------


@reports_bp.get("/returns")
@role_required(*STAFF_ROLES)
def report() -> Response | tuple[str, int]:
    today = local_today()

    def as_date(name: str, default: date) -> date:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return default

    start = as_date("from", today.replace(day=1, month=1))
    end = as_date("to", today)
    if end < start:
        start, end = end, start
    found = reports.returns_report(start, end)
    if request.args.get("format") == "csv":
        return reports.as_csv(found)
    from flask import render_template

    return render_template(
        "returns_office/report.html",
        report=found,
        start=start,
        end=end,
        status_names=RMA_STATUS_NAMES,
        nav_area="office",
    ), 200
