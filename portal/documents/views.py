"""The documents area: partners' /documents (their company's documents, PDFs, the account
statement) and the office's /office/documents (every kind, tags, attachments, audit trail)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Company, User
from portal.core.acting import acting_as
from portal.core.clock import local_today
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.i18n import lazy_gettext as _l
from portal.core.scope import visible_companies
from portal.core.web import (
    STAFF_ROLES,
    is_htmx,
    page_or_fragment,
    redirect_after_post,
    role_required,
    user,
)
from portal.documents import pdf as document_pdf
from portal.documents import queries
from portal.documents.attachments import attach, attachment_path
from portal.documents.models import (
    PARTNER_KINDS,
    PAYMENT_KINDS,
    Document,
    DocumentAttachment,
    DocumentKind,
    DocumentState,
    EventKind,
)
from portal.documents.queries import Cursor, DocumentFilters
from portal.documents.tags import add_tag, remove_tag
from portal.payments import queries as payment_queries
from portal.payments.models import PaymentChannel
from portal.payments.statement import statement_of
from portal.payments.states import PAYMENT_STATUS_LABELS, PaymentStatus, payment_status

log = logging.getLogger(__name__)

bp = Blueprint("documents", __name__, url_prefix="/documents")
office = Blueprint("office_documents", __name__, url_prefix="/office/documents")

KIND_LABELS = {
    DocumentKind.ZK: _l("Customer order"),
    DocumentKind.WZ: _l("Delivery note"),
    DocumentKind.PZ: _l("Goods receipt"),
    DocumentKind.PW: _l("Stock-in"),
    DocumentKind.RW: _l("Write-off"),
    DocumentKind.MM: _l("Warehouse transfer"),
    DocumentKind.FS: _l("Invoice"),
    DocumentKind.PA: _l("Sales receipt"),
    DocumentKind.KOR: _l("Corrective invoice"),
    DocumentKind.KP: _l("Payment received"),
    DocumentKind.KW: _l("Payment made"),
    DocumentKind.RMA: _l("Return or complaint"),
    DocumentKind.ZD: _l("Purchase order"),
    DocumentKind.ZW: _l("Return receipt"),
}
STATE_LABELS = {
    DocumentState.DRAFT: _l("Draft"),
    DocumentState.ISSUED: _l("Issued"),
    DocumentState.CANCELLED: _l("Cancelled"),
}
CHANNEL_LABELS = {
    PaymentChannel.BANK_TRANSFER: _l("Bank transfer"),
    PaymentChannel.CARD: _l("Card"),
    PaymentChannel.CASH: _l("Cash"),
}
STATEMENT_MONTHS = 12
"""The statement starts this many months back unless asked otherwise; earlier documents
make its opening balance."""


EVENT_LABELS = {
    EventKind.CREATED.value: _l("Created"),
    EventKind.STATUS.value: _l("Status changed"),
    EventKind.CHANGED.value: _l("Changed"),
    EventKind.NOTE.value: _l("Note"),
    EventKind.PAYMENT.value: _l("Payment"),
    EventKind.ISSUED.value: _l("Issued"),
    EventKind.TAGGED.value: _l("Tagged"),
    EventKind.UNTAGGED.value: _l("Tag removed"),
    EventKind.ATTACHED.value: _l("File attached"),
    EventKind.EMAILED.value: _l("E-mailed"),
}


def document_payment_status(document: Document, today: date) -> PaymentStatus | None:
    if document.state is not DocumentState.ISSUED:
        return None
    return payment_status(document.gross_total, document.paid_total, document.due_on, today)


@bp.app_context_processor
def labels() -> dict[str, object]:
    return {
        "kind_labels": KIND_LABELS,
        "state_labels": STATE_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "payment_labels": PAYMENT_STATUS_LABELS,
        "event_labels": EVENT_LABELS,
        "payment_status": document_payment_status,
    }


def reader() -> User:
    """Whose documents the partner area shows: the partner acted for, or the logged-in user."""
    return acting_as() or user()


def as_date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


def filters_from_request(*, partner_area: bool) -> DocumentFilters:
    args = request.args
    kinds = PARTNER_KINDS if partner_area else set(DocumentKind)
    kind = next((k for k in kinds if k.value == args.get("kind")), None)
    state = next((s for s in DocumentState if s.value == args.get("state")), None)
    return DocumentFilters(
        q=" ".join(args.get("q", "").split())[:100],
        kind=kind,
        state=None if partner_area else state,
        payment=args.get("payment", "") if args.get("payment") in ("open", "overdue") else "",
        partner="" if partner_area else args.get("partner", "").strip()[:100],
        tag="" if partner_area else " ".join(args.get("tag", "").split()).lower()[:40],
        date_from=as_date("from"),
        date_to=as_date("to"),
        cursor=Cursor.parse(args.get("after", "")),
    )


def list_response(
    pages: tuple[str, str, str], found: list[Document], filters: DocumentFilters, **context: Any
) -> Response:
    """A keyset-paginated list: (page, list fragment, rows fragment) templates."""
    page, listing, rows = pages
    has_more = len(found) > queries.PAGE_SIZE
    documents = found[: queries.PAGE_SIZE]
    next_cursor = str(Cursor.after(documents[-1])) if has_more and documents else ""
    fragment = rows if request.args.get("after") else listing
    return page_or_fragment(
        page,
        fragment,
        documents=documents,
        has_more=has_more,
        next_cursor=next_cursor,
        filters=filters,
        today=local_today(),
        **context,
    )


def _pdf_response(document: Document) -> Response:
    """The stored PDF; rendered now (and stored) when the document has none yet."""
    data = _stored_pdf(document)
    if data is None:
        return make_response(render_template("documents/no_pdf.html", document=document), 404)
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    filename = document_pdf.pdf_filename(document)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _stored_pdf(document: Document) -> bytes | None:
    """The PDF kept since issue; rendered and kept now for an issued document without one."""
    path = document_pdf.pdf_path(document)
    if (
        path is None
        and document.state is DocumentState.ISSUED
        and document.kind in document_pdf.PDF_KINDS
    ):
        with atomic():
            document_pdf.store_pdf(document)
        path = document_pdf.pdf_path(document)
    return path.read_bytes() if path is not None else None


def _attachment_response(attachment: DocumentAttachment) -> Response:
    path = attachment_path(attachment)
    if not path.is_file():
        abort(404)
    # At most 10 MB: read whole, so no file stays open after the response.
    response = make_response(path.read_bytes())
    response.headers["Content-Type"] = attachment.content_type
    response.headers["Content-Disposition"] = content_disposition(attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def content_disposition(filename: str) -> str:
    """attachment; with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


# --- partners: /documents --------------------------------------------------------------------


@bp.get("")
@login_required
def index() -> Response:
    filters = filters_from_request(partner_area=True)
    me = reader()
    found = queries.documents_for(me, filters, today=local_today())
    return list_response(
        ("documents/index.html", "documents/_list.html", "documents/_rows.html"),
        found,
        filters,
        kinds=[k for k in DocumentKind if k in PARTNER_KINDS],
        show_partner=not me.is_partner,
    )


@bp.get("/<int:document_id>")
@login_required
def detail(document_id: int) -> str:
    document = queries.document_for(reader(), document_id)
    page = queries.document_page(document, internal=False, today=local_today())
    return render_template("documents/detail.html", page=page, document=document)


@bp.get("/<int:document_id>/pdf")
@login_required
def pdf(document_id: int) -> Response:
    return _pdf_response(queries.document_for(reader(), document_id))


@bp.get("/<int:document_id>/attachments/<int:attachment_id>")
@login_required
def attachment(document_id: int, attachment_id: int) -> Response:
    document = queries.document_for(reader(), document_id)
    return _attachment_response(queries.attachment_for(document, attachment_id, internal=False))


def _statement_company(me: User) -> Company | None:
    """The partner's own company; reps and staff choose one of the companies they see."""
    if me.is_partner:
        return me.company
    raw = request.args.get("company", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        abort(404)
    return db.one_or_404(sa.select(Company).where(Company.id == int(raw), visible_companies(me)))


def _statement(me: User):  # type: ignore[no-untyped-def]
    company = _statement_company(me)
    if company is None:
        return None
    today = local_today()
    start = date(today.year, today.month, 1)
    for _month in range(STATEMENT_MONTHS - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    date_from = as_date("from") if "from" in request.args else start
    return statement_of(company, today=today, date_from=date_from, date_to=as_date("to"))


def _company_choices(me: User) -> list[Company]:
    if me.is_partner:
        return []
    return list(
        db.session.scalars(
            sa.select(Company).where(visible_companies(me)).order_by(Company.name).limit(500)
        )
    )


@bp.get("/statement")
@login_required
def statement() -> str:
    me = reader()
    return render_template(
        "documents/statement.html",
        statement=_statement(me),
        companies=_company_choices(me),
        chosen=request.args.get("company", ""),
    )


@bp.get("/statement.pdf")
@login_required
def statement_pdf() -> Response:
    from weasyprint import HTML

    found = _statement(reader())
    if found is None:
        abort(404)
    html = render_template("documents/statement_pdf.html", statement=found)
    data = HTML(string=html, base_url=request.url_root).write_pdf()
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="statement-{found.company.id}-{found.today.isoformat()}.pdf"'
    )
    return response


# --- staff: /office/documents ----------------------------------------------------------------


@office.get("")
@role_required(*STAFF_ROLES)
def office_index() -> Response:
    filters = filters_from_request(partner_area=False)
    found = queries.office_documents(filters, today=local_today())
    return list_response(
        (
            "documents/office_index.html",
            "documents/_office_list.html",
            "documents/_office_rows.html",
        ),
        found,
        filters,
        kinds=list(DocumentKind),
        states=list(DocumentState),
        known_tags=queries.known_tags(),
    )


def office_page(document: Document, *, status: int = 200, **errors: str) -> tuple[str, int]:
    page = queries.document_page(document, internal=True, today=local_today())
    open_documents: list[Document] = []
    if (
        document.kind in PAYMENT_KINDS
        and document.company_id is not None
        and document.gross_total > document.paid_total
    ):
        open_documents = payment_queries.open_documents(document.company_id, document.kind)
    return render_template(
        "documents/office_detail.html",
        page=page,
        document=document,
        errors=errors,
        open_documents=open_documents,
        payment_rest=document.gross_total - document.paid_total,
    ), status


@office.get("/<int:document_id>")
@role_required(*STAFF_ROLES)
def office_detail(document_id: int) -> tuple[str, int]:
    return office_page(queries.office_document(document_id))


@office.get("/<int:document_id>/pdf")
@role_required(*STAFF_ROLES)
def office_pdf(document_id: int) -> Response:
    return _pdf_response(queries.office_document(document_id))


def _tags_answer(document: Document, error: str = "") -> Response:
    """htmx gets the tags fragment back; a plain form post goes back to the page."""
    if is_htmx():
        response = make_response(
            render_template(
                "documents/_tags.html",
                document=document,
                tags=queries.tags_of(document),
                tag_error=error,
            ),
            422 if error else 200,
        )
        return response
    if error:
        flash(error, "error")
    return redirect_after_post(url_for("office_documents.office_detail", document_id=document.id))


@office.post("/<int:document_id>/tags")
@role_required(*STAFF_ROLES)
def tag(document_id: int) -> Response:
    document = queries.office_document(document_id)
    try:
        add_tag(document, request.form.get("tag", ""), actor=user())
    except DomainError as error:
        return _tags_answer(document, error.message)
    return _tags_answer(document)


@office.post("/<int:document_id>/tags/remove")
@role_required(*STAFF_ROLES)
def untag(document_id: int) -> Response:
    document = queries.office_document(document_id)
    try:
        remove_tag(document, request.form.get("tag", ""), actor=user())
    except DomainError as error:
        return _tags_answer(document, error.message)
    return _tags_answer(document)


@office.post("/<int:document_id>/attachments")
@role_required(*STAFF_ROLES)
def upload(document_id: int) -> Response | tuple[str, int]:
    document = queries.office_document(document_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return office_page(document, status=422, attachment=_("Choose a file to attach."))
    data = upload.stream.read(10 * 1024 * 1024 + 1)
    try:
        attach(
            document,
            filename=upload.filename,
            data=data,
            internal=request.form.get("visible") != "1",
            actor=user(),
        )
    except DomainError as error:
        return office_page(document, status=422, attachment=error.message)
    flash(_("The file is attached."), "success")
    return redirect_after_post(
        url_for("office_documents.office_detail", document_id=document.id) + "#attachments"
    )


@office.get("/<int:document_id>/attachments/<int:attachment_id>")
@role_required(*STAFF_ROLES)
def office_attachment(document_id: int, attachment_id: int) -> Response:
    document = queries.office_document(document_id)
    return _attachment_response(queries.attachment_for(document, attachment_id, internal=True))
