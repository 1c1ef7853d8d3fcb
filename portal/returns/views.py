"""The partner's returns and complaints: my RMAs, filing from delivered orders on a phone, one
RMA with its timeline and return slip, and "parcel sent". Reps see their partners' RMAs
read-only at the same URLs, staff see every RMA."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import User
from portal.core.acting import acting_as, customer
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.money import parse_decimal
from portal.core.web import is_htmx, page_or_fragment, redirect_after_post, user
from portal.returns import filing, queries
from portal.returns.models import RMA_STATUS_NAMES, Resolution, RmaKind, RmaStatus
from portal.returns.photos import MAX_PHOTOS_PER_LINE, PhotoRefused, photo_path, store
from portal.returns.slip import render_slip

bp = Blueprint("returns", __name__)

KIND_NAMES = {RmaKind.RETURN: _l("Return"), RmaKind.COMPLAINT: _l("Complaint")}
RESOLUTION_NAMES = {
    Resolution.REFUND: _l("Refund"),
    Resolution.REPLACEMENT: _l("Replacement"),
    Resolution.REPAIR: _l("Repair"),
    Resolution.CREDIT: _l("Credit on my account"),
}
# The default reasons are data (migration 0008); listed here so the catalogs translate them.
DEFAULT_REASON_NAMES = (
    _l("No longer needed"),
    _l("Ordered by mistake"),
    _l("Wrong item delivered"),
    _l("Defective"),
    _l("Damaged in transit"),
    _l("Not as described"),
)


@bp.app_template_global()
def rma_status_name(status: str) -> str:
    """The translated name of an RMA status (also for the mail templates)."""
    known = [s for s in RmaStatus if s.value == str(status)]
    return str(RMA_STATUS_NAMES[known[0]]) if known else str(status)


def reader() -> User:
    """Whose RMAs a page shows: the partner acted for, or the logged-in user."""
    return acting_as() or user()


def may_act() -> bool:
    """Partners act on their RMAs; a rep or staff member only while acting for one."""
    return user().is_partner or acting_as() is not None


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**53 else None


def _kind(value: str | None) -> RmaKind:
    return RmaKind.COMPLAINT if value == RmaKind.COMPLAINT.value else RmaKind.RETURN


# --- my RMAs -------------------------------------------------------------------------------


@bp.get("/returns")
@login_required
def index() -> Response:
    filters = queries.RmaFilters(
        q=request.args.get("q", "")[:60],
        status=request.args.get("status", ""),
        before_id=_int(request.args.get("before")),
    )
    found = queries.rmas_for(reader(), filters)
    rows = found[: queries.PAGE_SIZE]
    fragment = "returns/_rows.html" if filters.before_id else "returns/_list.html"
    return page_or_fragment(
        "returns/index.html",
        fragment,
        rows=rows,
        has_more=len(found) > queries.PAGE_SIZE,
        filters=filters,
        statuses=list(RmaStatus),
        kind_names=KIND_NAMES,
        may_file=may_act(),
        nav_area="returns",
    )


# --- filing --------------------------------------------------------------------------------


@dataclass
class LineInput:
    picked: bool = False
    quantity: str = ""
    reason: str = ""
    description: str = ""
    resolution: str = ""


@dataclass
class FilingForm:
    kind: RmaKind
    key: str
    order_ids: list[int]
    values: dict[int, LineInput] = field(default_factory=dict)
    errors: dict[tuple[int, str], str] = field(default_factory=dict)
    form_errors: list[str] = field(default_factory=list)
    photos_dropped: bool = False
    """Photos were chosen but the form came back: the browser cannot keep them."""

    def value(self, line_id: int) -> LineInput:
        return self.values.get(line_id) or LineInput()

    def error(self, line_id: int, name: str) -> str:
        return self.errors.get((line_id, name), "")


def _order_ids() -> list[int]:
    ids: list[int] = []
    for raw in [*request.values.getlist("order"), *request.values.getlist("also")]:
        number = _int(raw)
        if number is not None and number not in ids:
            ids.append(number)
    return ids[:10]


def _filing_page(form: FilingForm, *, status: int = 200) -> Response:
    buyer = customer()
    orders = queries.claimable_orders(buyer, form.kind, order_ids=form.order_ids)
    if form.order_ids and not orders:
        abort(404)  # not delivered, not theirs, or no such order
    shown = {order.order_id for order in orders}
    others = [
        order
        for order in queries.claimable_orders(buyer, None)
        if order.order_id not in shown and order.claimable
    ]
    return make_response(
        render_template(
            "returns/new.html",
            form=form,
            orders=orders,
            others=others,
            reasons=filing.reasons_for(form.kind),
            kind_names=KIND_NAMES,
            resolution_names=RESOLUTION_NAMES,
            max_photos=MAX_PHOTOS_PER_LINE,
            nav_area="returns",
        ),
        status,
    )


@bp.get("/returns/new")
@login_required
def new() -> Response:
    buyer = customer()
    ids = _order_ids()
    kind = _kind(request.args.get("kind"))
    if not ids:
        before = _int(request.args.get("before"))
        found = queries.claimable_orders(buyer, None, before_id=before)
        more = len(found) == queries.ORDER_PAGE_SIZE
        return page_or_fragment(
            "returns/orders.html",
            "returns/_orders.html",
            orders=[order for order in found if order.claimable],
            last_id=found[-1].order_id if more and found else None,
            nav_area="returns",
        )
    if is_htmx() and request.args.get("also"):
        added = _int(request.args.getlist("also")[-1])
        orders = queries.claimable_orders(buyer, kind, order_ids=[added] if added else [])
        if not orders:
            abort(404)
        form = FilingForm(kind=kind, key=request.args.get("key", ""), order_ids=[])
        return make_response(
            render_template(
                "returns/_order_lines.html",
                order=orders[0],
                form=form,
                reasons=filing.reasons_for(kind),
                resolution_names=RESOLUTION_NAMES,
                max_photos=MAX_PHOTOS_PER_LINE,
                oob=True,
            )
        )
    return _filing_page(FilingForm(kind=kind, key=uuid.uuid4().hex, order_ids=ids))


def _read_form(form: FilingForm, line_ids: list[int]) -> list[filing.ClaimLine]:
    """The picked lines as claims; photos stored (content-addressed) as they are read."""
    claims = []
    for line_id in line_ids:
        prefix = f"line-{line_id}-"
        values = LineInput(
            picked=request.form.get(prefix + "pick") == "1",
            quantity=request.form.get(prefix + "quantity", "").strip()[:20],
            reason=request.form.get(prefix + "reason", ""),
            description=request.form.get(prefix + "description", "").strip()[:2000],
            resolution=request.form.get(prefix + "resolution", ""),
        )
        form.values[line_id] = values
        uploads = [f for f in request.files.getlist(prefix + "photos") if f and f.filename]
        if uploads:
            form.photos_dropped = True
        if not values.picked:
            continue
        quantity = parse_decimal(values.quantity) if values.quantity else None
        if quantity is None:
            form.errors[line_id, "quantity"] = _("Enter the quantity to return.")
        stored = []
        for upload in uploads[: MAX_PHOTOS_PER_LINE + 1]:
            try:
                stored.append(store(upload.read(), filename=upload.filename or ""))
            except PhotoRefused as refused:
                form.errors[line_id, "photos"] = refused.message
        resolution = [r for r in Resolution if r.value == values.resolution]
        claims.append(
            filing.ClaimLine(
                delivered_line_id=line_id,
                quantity=quantity or Decimal(0),
                reason_id=_int(values.reason),
                description=values.description,
                resolution=resolution[0] if resolution else None,
                photos=tuple(stored),
            )
        )
    return claims


@bp.post("/returns/new")
@login_required
def create() -> Response:
    buyer = customer()
    form = FilingForm(
        kind=_kind(request.form.get("kind")),
        key=request.form.get("key", "")[:64],
        order_ids=_order_ids(),
    )
    if not form.order_ids:
        abort(404)
    line_ids = [n for n in (_int(v) for v in request.form.getlist("line")) if n][:200]
    claims = _read_form(form, line_ids)
    if not claims:
        form.form_errors.append(_("Choose at least one line and the quantity to return."))
    if form.errors or form.form_errors:
        return _filing_page(form, status=422)
    try:
        rma = filing.submit_rma(
            buyer, actor=user(), kind=form.kind, lines=claims, idempotency_key=form.key
        )
    except filing.FilingRefused as refused:
        form.errors.update(refused.errors)
        if not refused.errors or any(name == "line" for _id, name in refused.errors):
            form.form_errors.append(refused.message)
        for (_line_id, name), message in refused.errors.items():
            if name == "line":
                form.form_errors.append(message)
        return _filing_page(form, status=422)
    flash(_("Thank you! %(number)s is submitted.", number=rma.number), "success")
    return redirect_after_post(url_for("returns.detail", rma_id=rma.id))


# --- one RMA -------------------------------------------------------------------------------


@bp.get("/returns/<int:rma_id>")
@login_required
def detail(rma_id: int) -> str:
    row = queries.rma_for(reader(), rma_id)
    page = queries.rma_page(row, internal=not user().is_partner)
    return render_template(
        "returns/detail.html",
        page=page,
        rma=row.rma,
        info=row.info,
        kind_names=KIND_NAMES,
        resolution_names=RESOLUTION_NAMES,
        may_act=may_act(),
        nav_area="returns",
    )


@bp.get("/returns/<int:rma_id>/slip.pdf")
@login_required
def slip(rma_id: int) -> Response:
    row = queries.rma_for(reader(), rma_id)
    pdf = render_slip(queries.rma_page(row))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    filename = (row.rma.number or "rma").replace("/", "-") + ".pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.post("/returns/<int:rma_id>/sent")
@login_required
def sent(rma_id: int) -> Response:
    row = queries.rma_for(reader(), rma_id)
    if not may_act():
        abort(403)
    try:
        filing.mark_sent(
            row.rma, actor=user(), tracking_number=request.form.get("tracking_number", "")
        )
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you! We will let you know when the parcel arrives."), "success")
    return redirect_after_post(url_for("returns.detail", rma_id=rma_id))


@bp.get("/returns/<int:rma_id>/photos/<int:photo_id>")
@login_required
def photo(rma_id: int, photo_id: int) -> Any:
    from flask import send_file

    row = queries.rma_for(reader(), rma_id)
    found = queries.photo_of(row.rma, photo_id)
    path = photo_path(found.image_key, thumb=request.args.get("size") == "thumb")
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=3600)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
