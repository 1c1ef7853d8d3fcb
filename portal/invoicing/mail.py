"""The final document's e-mail: to the order's buyer, with a copy to the company's address,
the PDF attached; the admin's template (documents/issued) when there is one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import current_app
from flask_babel import force_locale

from portal.accounts.models import Company, User
from portal.core.db import db
from portal.documents.models import Document
from portal.documents.pdf import document_language, pdf_filename, title_of
from portal.notifications import outbox
from portal.notifications.templates_db import outbox_context
from portal.seller.services import seller

TEMPLATE = "documents/issued"


def _link(document: Document, orders: Sequence[Document]) -> str:
    """Where the partner downloads it: the document's page when that area exists, else the
    order's page."""
    if "documents.detail" in current_app.view_functions:
        return outbox.absolute_url("documents.detail", document_id=document.id)
    if orders:
        return outbox.absolute_url("orders.detail", order_id=orders[0].id)
    return outbox.absolute_url("accounts.home")


def mail_document(document: Document, *, orders: Sequence[Document] = ()) -> None:
    """Queues the document's mail in the current transaction, when the seller e-mails
    documents and someone can receive it."""
    if not seller().email_documents:
        return
    company = db.session.get(Company, document.company_id) if document.company_id else None
    buyer = db.session.get(User, document.user_id) if document.user_id else None
    if buyer is not None and not buyer.active:
        buyer = None
    company_email = (company.email or "").strip().lower() if company else ""
    to = buyer.email if buyer else company_email
    if not to:
        return
    cc = [company_email] if company_email and company_email != to else []
    language = buyer.language if buyer else document_language(document)
    with force_locale(language):
        title = title_of(document.kind)
    context: dict[str, Any] = {
        "name": buyer.name if buyer else (company.name if company else ""),
        "company": company.name if company else "",
        "number": document.number,
        "kind": document.kind.value,
        "title": title,
        "gross": document.gross_total,
        "due_on": document.due_on,
        "link": _link(document, orders),
    }
    # The worker attaches the document's stored PDF (rendering it if it is not there yet).
    attachments = [
        {
            "filename": pdf_filename(document),
            "document_id": str(document.id),
            "content_type": "application/pdf",
        }
    ]
    outbox.enqueue(
        TEMPLATE,
        to=to,
        cc=cc,
        language=language,
        context=outbox_context(TEMPLATE, language, context),
        attachments=attachments,
    )
