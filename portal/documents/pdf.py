"""Document PDFs (FS, PA, KOR, WZ) with WeasyPrint: rendered once, when the document is
issued, and stored content-addressed under MEDIA_ROOT/documents (like product photos).

Templates under templates/pdf/ get plain values (a `PdfView`), never query. A4, DejaVu Sans
(Debian's fonts-dejavu-core covers Polish and German). With libharfbuzz-subset0 installed a
20-line invoice renders in well under 300 ms (bench/invoice_pdf.py).
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from portal.accounts.models import Company, User
from portal.accounts.taxids import display_tax_id
from portal.core.db import atomic, db
from portal.core.i18n import gettext as _
from portal.core.templating import amount, quantity
from portal.documents.models import Document, DocumentKind, DocumentLine, DocumentLink
from portal.documents.services import lines_of, totals_for
from portal.documents.totals import Totals
from portal.seller.models import SellerSettings
from portal.seller.services import seller

log = logging.getLogger(__name__)

PDF_KINDS = frozenset({DocumentKind.FS, DocumentKind.PA, DocumentKind.KOR, DocumentKind.WZ})
TEMPLATES = {
    DocumentKind.FS: "pdf/invoice.html",
    DocumentKind.PA: "pdf/invoice.html",
    DocumentKind.KOR: "pdf/correction.html",
    DocumentKind.WZ: "pdf/delivery_note.html",
}
LANGUAGE_OF_COUNTRY = {"PL": "pl", "DE": "de", "AT": "de", "CH": "de"}


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str
    address: list[str]
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class PdfLine:
    position: int
    sku: str
    name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    vat_percent: Decimal
    discount: Decimal
    net: Decimal
    lot: str = ""


@dataclass(frozen=True)
class CorrectedLine:
    """A KOR's line: the invoice line before this correction, after it, and the difference."""

    name: str
    sku: str
    unit: str
    vat_percent: Decimal
    before_quantity: Decimal
    before_price: Decimal
    before_net: Decimal
    after_quantity: Decimal
    after_price: Decimal
    after_net: Decimal

    @property
    def quantity_difference(self) -> Decimal:
        return self.after_quantity - self.before_quantity

    @property
    def net_difference(self) -> Decimal:
        return self.after_net - self.before_net


@dataclass(frozen=True)
class PdfView:
    kind: DocumentKind
    number: str
    issued_on: date | None
    due_on: date | None
    seller: Party
    buyer: Party | None
    bank_name: str
    bank_account: str
    lines: list[PdfLine]
    totals: Totals
    note: str = ""
    reference: str = ""
    orders: list[str] = field(default_factory=list)
    ship_to: list[str] = field(default_factory=list)
    original_number: str = ""
    original_issued_on: date | None = None
    corrected: list[CorrectedLine] = field(default_factory=list)
    payment_terms_days: int = 0


# --- the view -----------------------------------------------------------------------------------


def _seller_party(settings: SellerSettings) -> Party:
    return Party(
        name=settings.name,
        tax_id=display_tax_id(settings.tax_id, settings.country),
        address=[
            line
            for line in (
                settings.street,
                f"{settings.postal_code} {settings.city}".strip(),
                settings.country,
            )
            if line
        ],
        email=settings.email,
        phone=settings.phone,
    )


def _buyer_party(company: Company) -> Party:
    return Party(
        name=company.name,
        tax_id=display_tax_id(company.tax_id, company.tax_country),
        address=[*company.billing_lines, company.country],
        email=company.email or "",
    )


def format_iban(number: str) -> str:
    compact = "".join(number.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _sources(document: Document, kinds: tuple[DocumentKind, ...]) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .join(DocumentLink, DocumentLink.source_id == Document.id)
            .where(DocumentLink.target_id == document.id, Document.kind.in_(kinds))
            .order_by(Document.id)
        )
    )


def _lots(lines: list[DocumentLine]) -> dict[int, str]:
    from portal.stock.models import Batch

    ids = {line.batch_id for line in lines if line.batch_id}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Batch.id, Batch.lot).where(Batch.id.in_(ids))).all())


def pdf_view(document: Document) -> PdfView:
    """Everything a document's PDF shows, as plain values."""
    settings = seller()
    company = db.session.get(Company, document.company_id) if document.company_id else None
    lines = lines_of(document)
    lots = _lots(lines) if document.kind is DocumentKind.WZ else {}
    orders = _sources(document, (DocumentKind.ZK,))
    ship_to: list[str] = []
    if document.kind is DocumentKind.WZ and len(orders) == 1:
        from portal.orders.models import OrderInfo

        info = db.session.get(OrderInfo, orders[0].id)
        ship_to = info.ship_lines if info else []
    totals_kind = document.kind
    original: Document | None = None
    corrected: list[CorrectedLine] = []
    if document.kind is DocumentKind.KOR:
        originals = _sources(document, (DocumentKind.FS, DocumentKind.PA))
        original = originals[0] if originals else None
        if original is not None:
            totals_kind = original.kind
            corrected = _corrected_lines(document, lines, original)
    return PdfView(
        kind=document.kind,
        number=document.number or "",
        issued_on=document.issued_on,
        due_on=document.due_on,
        seller=_seller_party(settings),
        buyer=_buyer_party(company) if company else None,
        bank_name=settings.bank_name,
        bank_account=format_iban(settings.bank_account),
        lines=[
            PdfLine(
                position=line.position,
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_percent=line.vat_percent,
                discount=line.discount,
                net=line.net,
                lot=lots.get(line.batch_id or 0, ""),
            )
            for line in lines
        ],
        totals=totals_for(totals_kind, lines),
        note=document.note,
        reference=document.reference,
        orders=[order.number or "" for order in orders],
        ship_to=ship_to,
        original_number=original.number or "" if original else "",
        original_issued_on=original.issued_on if original else None,
        corrected=corrected,
        payment_terms_days=company.payment_terms_days if company else 0,
    )


def _corrected_lines(
    correction: Document, rows: list[DocumentLine], original: Document
) -> list[CorrectedLine]:
    """Before = the original with the corrections issued before this one; after = before plus
    this correction's rows for the line."""
    from portal.invoicing.queries import line_states

    before = {
        state.line.id: state for state in line_states(original, before_document_id=correction.id)
    }
    result: list[CorrectedLine] = []
    done: set[int] = set()
    for row in rows:
        if row.source_line_id is None or row.source_line_id in done:
            continue
        done.add(row.source_line_id)
        state = before[row.source_line_id]
        mine = [r for r in rows if r.source_line_id == row.source_line_id]
        after_quantity = state.quantity + sum((r.quantity for r in mine), Decimal(0))
        after_net = state.net + sum((r.net for r in mine), Decimal(0))
        result.append(
            CorrectedLine(
                name=row.name,
                sku=row.sku,
                unit=row.unit,
                vat_percent=row.vat_percent,
                before_quantity=state.quantity,
                before_price=state.unit_price,
                before_net=state.net,
                after_quantity=after_quantity,
                after_price=mine[-1].unit_price,
                after_net=after_net,
            )
        )
    return result


# --- rendering ----------------------------------------------------------------------------------


def document_language(document: Document) -> str:
    """The buyer's language; without a buyer, the partner's country's, else English."""
    if document.user_id:
        user = db.session.get(User, document.user_id)
        if user is not None and user.language:
            return user.language
    if document.company_id:
        company = db.session.get(Company, document.company_id)
        if company is not None:
            return LANGUAGE_OF_COUNTRY.get(company.country, "en")
    return "pl"


def title_of(kind: DocumentKind) -> str:
    return {
        DocumentKind.FS: _("VAT invoice"),
        DocumentKind.PA: _("Receipt"),
        DocumentKind.KOR: _("Corrective invoice"),
        DocumentKind.WZ: _("Delivery note"),
    }.get(kind, kind.value)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def pdf_html(document: Document) -> str:
    """The document's printable HTML (everything the PDF needs from the database)."""
    if document.kind not in PDF_KINDS:
        raise ValueError(f"no PDF for {document.kind}")
    view = pdf_view(document)
    language = document_language(document)
    with force_locale(language):
        return render_template(
            TEMPLATES[document.kind],
            view=view,
            title=title_of(document.kind),
            amount=amount,
            quantity=quantity,
            language=language,
        )


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's rendering, with the cyclic garbage collector paused while it runs.

    A render allocates some hundred thousand short-lived objects; each few thousand of them
    start a collection that also walks every long-lived object of the application, which made
    a render 30-60 % slower. They are freed by reference counting anyway, and the collector
    catches up with any cycles once it is enabled again.
    """
    from weasyprint import HTML

    paused = gc.isenabled()
    gc.disable()
    try:
        pdf: bytes = HTML(string=html, base_url=current_app.root_path).write_pdf(
            font_config=_font_config()
        )
    finally:
        if paused:
            gc.enable()
    return pdf


def render_pdf(document: Document) -> bytes:
    """The document's PDF, freshly rendered (store_pdf keeps the one made at issue time)."""
    return html_to_pdf(pdf_html(document))


def pdf_folder() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "documents"


def _save(data: bytes) -> str:
    """Content-addressed: the same PDF is one file."""
    key = hashlib.sha256(data).hexdigest()[:40]
    folder = pdf_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.pdf"
    if not path.exists():
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)
    log.info("pdf stored key=%s bytes=%d", key, len(data))
    return f"documents/{key}.pdf"


def store_pdf(document: Document) -> None:
    """Renders the document's PDF once and keeps it, in the caller's transaction (a download
    or the mail worker finding none yet); a document that has one keeps it."""
    if document.pdf_key:
        return
    document.pdf_key = _save(render_pdf(document))
    db.session.flush()


def store_pdfs_after_commit(document_ids: Sequence[int]) -> None:
    """Renders the PDFs of documents just issued, for `on_commit`: the HTML is built, the
    read transaction ends, WeasyPrint runs with no transaction open (on SQLite a request's
    transaction holds the write lock), and one short transaction records the keys."""
    documents = [
        document
        for document in (db.session.get(Document, id_) for id_ in document_ids)
        if document is not None and document.kind in PDF_KINDS and not document.pdf_key
    ]
    pages = [(document.id, pdf_html(document)) for document in documents]
    db.session.commit()
    keys = [(document_id, _save(html_to_pdf(html))) for document_id, html in pages]
    with atomic():
        for document_id, key in keys:
            db.session.execute(
                sa.update(Document)
                .where(Document.id == document_id, Document.pdf_key.is_(None))
                .values(pdf_key=key)
            )
    for document in documents:
        db.session.refresh(document, ["pdf_key"])


def pdf_path(document: Document) -> Path | None:
    """The stored PDF's file, for a download view; None when there is none."""
    if not document.pdf_key:
        return None
    path = Path(current_app.config["MEDIA_ROOT"]) / document.pdf_key
    return path if path.is_file() else None


def pdf_filename(document: Document) -> str:
    """FS-2026-11-0001.pdf"""
    return f"{(document.number or str(document.id)).replace('/', '-')}.pdf"
