"""Stripe's webhook, the page Stripe Checkout returns to, and "Pay by card" for an order."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Company
from portal.core.acting import customer
from portal.core.clock import local_today
from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.money import parse_decimal
from portal.core.templating import money
from portal.core.web import STAFF_ROLES, is_htmx, redirect_after_post, role_required, user
from portal.documents import queries as document_queries
from portal.documents.models import PAYMENT_KINDS, Document, DocumentKind
from portal.extensions import csrf
from portal.orders.queries import order_for
from portal.orders.services import card_payments_enabled
from portal.payments import queries, services, stripe_gateway
from portal.payments.export import csv_chunks, xml_document
from portal.payments.forms import PaymentForm
from portal.payments.models import PaymentChannel

log = logging.getLogger(__name__)

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt  # Stripe signs the body instead; there is no session to forge a request for
def stripe_webhook() -> Response:
    if not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        abort(404)
    try:
        event = stripe_gateway.construct_event(
            request.get_data(), request.headers.get("Stripe-Signature")
        )
    except stripe_gateway.InvalidWebhook as error:
        log.warning("stripe webhook refused: %s", error)
        abort(400, description=_("Invalid Stripe webhook: %(reason)s", reason=str(error)))
    services.handle_event(event)
    return jsonify(received=True)


@bp.get("/stripe/return/<int:order_id>")
@login_required
def card_return(order_id: int) -> Response:
    """Where Stripe Checkout sends the buyer back: only the webhook marks the order paid."""
    if not card_payments_enabled():
        abort(404)
    order = order_for(user(), order_id)
    flash(_("Thank you: we will confirm the payment as soon as Stripe tells us."), "success")
    return redirect(url_for("orders.detail", order_id=order.id), code=303)


@bp.post("/orders/<int:order_id>/card")
@login_required
def pay_by_card_redirect(order_id: int) -> Response:
    """Sends the buyer to Stripe Checkout for an order whose card payment is still awaited
    (right after placing it, or to try again)."""
    if not card_payments_enabled():
        abort(404)
    order = order_for(customer(), order_id)
    try:
        url = services.start_card_payment(order)
    except DomainError as error:
        flash(error.message, "error")
        return redirect_after_post(url_for("orders.detail", order_id=order_id))
    if is_htmx():  # Stripe's page is another site: htmx must leave the page, not swap it in
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


# --- staff: /office/payments -----------------------------------------------------------------

office = Blueprint("office_payments", __name__, url_prefix="/office/payments")


@office.get("")
@role_required(*STAFF_ROLES)
def index() -> Response:
    from portal.documents.views import filters_from_request, list_response

    filters = filters_from_request(partner_area=False)
    if filters.payment not in ("", "unallocated"):
        filters.payment = ""
    if filters.kind not in (None, *PAYMENT_KINDS):
        filters.kind = None
    found = document_queries.office_documents(filters, today=local_today(), kinds=PAYMENT_KINDS)
    return list_response(
        ("payments/index.html", "payments/_list.html", "payments/_rows.html"), found, filters
    )


@dataclass
class AllocationInput:
    document: Document
    value: str
    error: str = ""


def _payment_form_page(
    form: PaymentForm,
    *,
    status: int = 200,
    entered: dict[int, str] | None = None,
    amount_error: str = "",
    row_errors: dict[int, str] | None = None,
) -> Response:
    form.company.choices = [(0, _("Choose a partner"))] + [
        (company.id, company.name) for company in queries.companies()
    ]
    kind = DocumentKind.KW if form.kind.data == DocumentKind.KW.value else DocumentKind.KP
    rows: list[AllocationInput] = []
    if form.company.data:
        documents = queries.open_documents(form.company.data, kind)
        if entered is None:
            amount = parse_decimal(form.amount.data or "")
            spread = queries.prefill(documents, kind, amount) if amount and amount > 0 else {}
            entered = {doc_id: format(value, "f") for doc_id, value in spread.items()}
        rows = [
            AllocationInput(
                document,
                entered.get(document.id, ""),
                (row_errors or {}).get(document.id, ""),
            )
            for document in documents
        ]
    response = make_response(
        render_template(
            "payments/new.html" if not is_htmx() else "payments/_form.html",
            form=form,
            rows=rows,
            kind=kind,
            amount_error=amount_error,
            today=local_today(),
        ),
        status,
    )
    response.vary.add("HX-Request")
    return response


def _entered_allocations() -> dict[int, str]:
    entered: dict[int, str] = {}
    for key, value in request.form.items():
        if key.startswith("alloc-") and key[6:].isdigit() and len(key) < 20 and value.strip():
            entered[int(key[6:])] = value.strip()[:30]
    return entered


@office.get("/new")
@role_required(*STAFF_ROLES)
def new() -> Response:
    form = PaymentForm(formdata=request.args if request.args else None)
    if not form.on.data:
        form.on.data = local_today()
    return _payment_form_page(form)


@office.post("/new")
@role_required(*STAFF_ROLES)
def create() -> Response:
    form = PaymentForm()
    form.company.choices = [(company.id, company.name) for company in queries.companies()]
    entered = _entered_allocations()
    if not form.validate_on_submit():
        return _payment_form_page(form, status=422, entered=entered)
    amount = parse_decimal(form.amount.data or "")
    if amount is None:
        form.amount.errors = [_("Enter a number, e.g. 1234.50.")]
        return _payment_form_page(form, status=422, entered=entered)
    company = db.session.get_one(Company, form.company.data)
    kind = DocumentKind(form.kind.data)
    row_errors: dict[int, str] = {}
    allocations: list[tuple[Document, Decimal]] = []
    documents = (
        {
            document.id: document
            for document in db.session.scalars(
                sa.select(Document).where(
                    Document.id.in_(list(entered)), Document.company_id == company.id
                )
            )
        }
        if entered
        else {}
    )
    for document_id, raw in entered.items():
        value = parse_decimal(raw)
        if document_id not in documents:
            form.amount.errors = [_("A document to allocate to is not the partner's.")]
        elif value is None:
            row_errors[document_id] = _("Enter a number, e.g. 1234.50.")
        elif value != 0:
            allocations.append((documents[document_id], value))
    if row_errors or form.amount.errors:
        return _payment_form_page(form, status=422, entered=entered, row_errors=row_errors)
    try:
        payment = services.record_payment(
            kind,
            company,
            amount,
            on=form.on.data,
            channel=PaymentChannel(form.channel.data),
            reference=form.reference.data or "",
            actor=user(),
            allocations=allocations,
        )
    except services.PaymentRefused as error:
        if error.field.startswith("document-") and error.field[9:].isdigit():
            row_errors[int(error.field[9:])] = error.message
        else:
            form.amount.errors = [error.message]
        return _payment_form_page(form, status=422, entered=entered, row_errors=row_errors)
    flash(_("Payment %(number)s is recorded.", number=payment.number), "success")
    return redirect_after_post(url_for("office_documents.office_detail", document_id=payment.id))


@office.post("/<int:payment_id>/allocations")
@role_required(*STAFF_ROLES)
def allocate(payment_id: int) -> Response | tuple[str, int]:
    from portal.documents.views import office_page

    payment = document_queries.office_document(payment_id)
    if payment.kind not in PAYMENT_KINDS:
        abort(404)
    raw_id = request.form.get("document", "")
    amount = parse_decimal(request.form.get("amount", ""))
    target = (
        db.session.scalar(
            sa.select(Document).where(
                Document.id == int(raw_id), Document.company_id == payment.company_id
            )
        )
        if raw_id.isdigit() and len(raw_id) < 12
        else None
    )
    if target is None:
        return office_page(payment, status=422, allocation=_("Choose a document."))
    if amount is None:
        return office_page(payment, status=422, allocation=_("Enter a number, e.g. 1234.50."))
    try:
        services.allocate(payment, target, amount, actor=user())
    except services.PaymentRefused as error:
        return office_page(payment, status=422, allocation=error.message)
    flash(
        _("%(amount)s allocated to %(number)s.", amount=money(amount), number=target.number),
        "success",
    )
    return redirect_after_post(url_for("office_documents.office_detail", document_id=payment.id))


@office.get("/export")
@role_required(*STAFF_ROLES)
def export() -> Response | tuple[str, int]:
    from portal.documents.views import as_date

    date_from, date_to = as_date("from"), as_date("to")
    fmt = request.args.get("format", "csv")
    errors: dict[str, str] = {}
    if request.args:
        if date_from is None:
            errors["from"] = _("Enter the first day.")
        if date_to is None:
            errors["to"] = _("Enter the last day.")
        if date_from and date_to and date_to < date_from:
            errors["to"] = _("The last day is before the first.")
        if fmt not in ("csv", "xml"):
            errors["format"] = _("Choose CSV or XML.")
    if not request.args or errors:
        return render_template(
            "payments/export.html",
            errors=errors,
            date_from=request.args.get("from", ""),
            date_to=request.args.get("to", ""),
            fmt=fmt,
        ), 422 if errors else 200
    assert date_from is not None and date_to is not None
    name = f"documents-{date_from.isoformat()}-{date_to.isoformat()}.{fmt}"
    rows = queries.export_rows(date_from, date_to)
    response: Response
    if fmt == "xml":
        response = make_response(xml_document(rows, date_from=date_from, date_to=date_to))
        response.headers["Content-Type"] = "application/xml; charset=utf-8"
    else:
        response = Response(
            stream_with_context(csv_chunks(rows)), content_type="text/csv; charset=utf-8"
        )
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
