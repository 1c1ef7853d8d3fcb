"""Document reads and the office's writes on documents: lists with filters and keyset pages,
the partner scope, tags and attachments checked by their content."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.attachments import AttachmentRefused, attach, attachment_path, sniff
from portal.documents.models import DocumentEvent, DocumentKind, DocumentTag, EventKind
from portal.documents.queries import (
    PAGE_SIZE,
    Cursor,
    DocumentFilters,
    document_page,
    documents_for,
    office_documents,
)
from portal.documents.tags import InvalidTag, add_tag, remove_tag
from tests.builders import make_company, make_user
from tests.services.documents.helpers import invoice, issued

TODAY = date(2026, 11, 25)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def staff():
    return make_user(role=Role.STAFF)


def events(document, kind):
    return db.session.scalars(
        sa.select(DocumentEvent.note).where(
            DocumentEvent.document_id == document.id, DocumentEvent.kind == kind
        )
    ).all()


def test_tags_are_added_once_removed_and_recorded(staff):
    document = invoice(make_company())
    assert add_tag(document, "  Urgent   Check ", actor=staff) == "urgent check"
    add_tag(document, "URGENT check", actor=staff)
    assert db.session.scalars(sa.select(DocumentTag.tag)).all() == ["urgent check"]
    remove_tag(document, "urgent check", actor=staff)
    assert db.session.scalars(sa.select(DocumentTag.tag)).all() == []
    assert events(document, EventKind.TAGGED) == ["urgent check"]
    assert events(document, EventKind.UNTAGGED) == ["urgent check"]
    with pytest.raises(InvalidTag):
        add_tag(document, "   ", actor=staff)
    with pytest.raises(InvalidTag):
        add_tag(document, "x" * 41, actor=staff)


def test_content_decides_the_type_of_an_attachment():
    assert sniff(b"%PDF-1.7\n...") == "application/pdf"
    assert sniff(png_bytes()) == "image/png"
    assert sniff(b"sku;qty\nA-1;2\n") == "text/plain"
    assert sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00") is None  # a Windows program
    assert sniff(b"GIF89a\x01\x00\x01\x00") is None  # an image, but not one we take


def test_an_attachment_is_stored_with_its_sniffed_type(app, staff):
    document = invoice(make_company())
    stored = attach(document, filename="scan.png", data=png_bytes(), internal=False, actor=staff)
    assert stored.content_type == "image/png" and stored.size == len(png_bytes())
    assert attachment_path(stored).read_bytes() == png_bytes()
    csv = attach(
        document, filename="../../lines.csv", data=b"a,b\n1,2\n", internal=True, actor=staff
    )
    assert csv.filename == "lines.csv" and csv.content_type == "text/csv" and csv.internal
    assert events(document, EventKind.ATTACHED) == ["scan.png", "lines.csv (internal)"]
    page = document_page(document, internal=False, today=TODAY)
    assert [a.filename for a in page.attachments] == ["scan.png"]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("photo.jpg", b"MZ\x90\x00" + bytes(range(256)), "Only PDF"),  # a program, renamed
        ("photo.jpg", b"%PDF-1.4 ...", "does not match"),  # a PDF called a photo
        ("notes.txt", png_bytes(), "does not match"),
        ("empty.pdf", b"", "empty"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_attachments_that_are_not_what_they_say_are_refused(staff, filename, data, message):
    document = invoice(make_company())
    with pytest.raises(AttachmentRefused) as refused:
        attach(document, filename=filename, data=data, internal=True, actor=staff)
    assert message in refused.value.message


def test_the_office_list_filters_and_pages_by_date_and_id():
    company, other = make_company(name="Kowalski Hurt"), make_company()
    invoices = [invoice(company, on=date(2026, 10, 1 + n % 28)) for n in range(PAGE_SIZE + 5)]
    note = issued(DocumentKind.WZ, other, on=date(2026, 11, 1), reference="PO-99")
    tagged = invoices[3]
    db.session.add(DocumentTag(document_id=tagged.id, tag="dispute"))
    db.session.flush()

    first = office_documents(DocumentFilters(), today=TODAY)
    assert first[0].id == note.id and len(first) == PAGE_SIZE + 1
    shown = first[:PAGE_SIZE]
    rest = office_documents(DocumentFilters(cursor=Cursor.after(shown[-1])), today=TODAY)
    seen = [d.id for d in shown] + [d.id for d in rest]
    assert sorted(seen) == sorted([d.id for d in invoices] + [note.id])
    assert len(set(seen)) == len(seen)
    dates = [(d.issued_on, d.id) for d in shown + rest]
    assert dates == sorted(dates, reverse=True)

    def ids(**filters):
        return {d.id for d in office_documents(DocumentFilters(**filters), today=TODAY)}

    assert ids(kind=DocumentKind.WZ) == {note.id}
    assert ids(tag="dispute") == {tagged.id}
    assert ids(q="PO-9") == {note.id}
    assert ids(q=invoices[0].number) == {invoices[0].id}
    assert ids(partner="kowalski", date_from=date(2026, 10, 28), date_to=date(2026, 10, 28)) == {
        d.id for d in invoices if d.issued_on == date(2026, 10, 28)
    }
    assert ids(partner=str(other.id)) == {note.id}
    overdue = ids(payment="overdue")  # all invoices are past due on TODAY; no delivery note
    assert len(overdue) == PAGE_SIZE + 1 and overdue < {d.id for d in invoices}


def test_partners_see_only_their_companys_partner_documents():
    mine, theirs = make_company(), make_company()
    buyer = make_user(role=Role.BUYER, company=mine)
    rep = make_user(role=Role.SALES_REP)
    theirs.sales_rep_id = rep.id
    own = invoice(mine)
    own_note = issued(DocumentKind.WZ, mine)
    issued(DocumentKind.PZ, mine)  # a goods receipt is not a partner's document
    foreign = invoice(theirs)
    assert {d.id for d in documents_for(buyer, DocumentFilters(), today=TODAY)} == {
        own.id,
        own_note.id,
    }
    assert documents_for(buyer, DocumentFilters(kind=DocumentKind.PZ), today=TODAY) == []
    assert [d.id for d in documents_for(rep, DocumentFilters(), today=TODAY)] == [foreign.id]
