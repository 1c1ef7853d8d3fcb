"""Documents over HTTP: partners read their company's documents, PDFs and statement; a rep
reads the assigned partners' (read-only); staff list every kind, tag and attach files."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentAttachment, DocumentKind, DocumentTag
from portal.payments.models import PaymentChannel
from portal.payments.services import record_payment
from tests.builders import make_company, make_user
from tests.services.documents.helpers import invoice, issued

D = Decimal
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    mine = make_company(name="Acme Hurt", credit_limit=D("5000.00"))
    theirs = make_company(name="Beta Sp. z o.o.")
    rep = make_user(role=Role.SALES_REP)
    theirs.sales_rep_id = rep.id
    buyer = make_user(role=Role.BUYER, company=mine)
    staff = make_user(role=Role.STAFF)
    note = issued(DocumentKind.WZ, mine, net="100.00", on=date(2026, 11, 2))
    bill = invoice(
        mine, sources=(note,), on=date(2026, 11, 3), lines=(("100.00", "23"), ("50.00", "8"))
    )
    payment = record_payment(
        DocumentKind.KP,
        mine,
        D("100.00"),
        on=date(2026, 11, 10),
        channel=PaymentChannel.BANK_TRANSFER,
        reference="Transfer 42",
        actor=staff,
        allocations=[(bill, D("100.00"))],
    )
    receipt = issued(DocumentKind.PZ, None, on=date(2026, 11, 1))
    foreign = invoice(theirs, on=date(2026, 11, 4))
    db.session.commit()
    return {
        "mine": mine,
        "theirs": theirs,
        "buyer": buyer,
        "rep": rep,
        "staff": staff,
        "note": note,
        "bill": bill,
        "payment": payment,
        "receipt": receipt,
        "foreign": foreign,
    }


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def test_buyer_lists_and_opens_their_companys_documents(login, world):
    client = login(world["buyer"])
    html = client.get("/documents").get_data(as_text=True)
    for own in ("note", "bill", "payment"):
        assert world[own].number in html
    assert world["foreign"].number not in html and world["receipt"].number not in html
    assert "Partly paid" in html or "Overdue" in html

    page = client.get(f"/documents/{world['bill'].id}").get_data(as_text=True)
    assert world["bill"].number in page and "Item 1" in page and "Item 2" in page
    assert "23" in page and "8" in page  # totals per VAT rate
    assert world["note"].number in page and world["payment"].number in page  # related, both ways
    assert "Audit trail" not in page  # the audit trail is for staff
    assert client.get(f"/documents/{world['foreign'].id}").status_code == 404
    assert client.get(f"/documents/{world['receipt'].id}").status_code == 404
    filtered = client.get("/documents?kind=WZ").get_data(as_text=True)
    assert world["note"].number in filtered and world["bill"].number not in filtered


def test_buyer_downloads_the_stored_pdf(app, login, world):
    bill = world["bill"]
    folder = Path(app.config["MEDIA_ROOT"]) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "stored-test.pdf").write_bytes(b"%PDF-1.4 stored")
    db.session.get_one(Document, bill.id).pdf_key = "documents/stored-test.pdf"
    db.session.commit()
    client = login(world["buyer"])
    response = client.get(f"/documents/{bill.id}/pdf")
    assert response.status_code == 200 and response.data == b"%PDF-1.4 stored"
    assert response.headers["Content-Type"] == "application/pdf"
    assert bill.number.replace("/", "-") in response.headers["Content-Disposition"]
    assert client.get(f"/documents/{world['foreign'].id}/pdf").status_code == 404
    missing = client.get(f"/documents/{world['payment'].id}/pdf")  # payments have no PDF
    assert missing.status_code == 404 and "There is no PDF of" in missing.get_data(as_text=True)


def test_a_rep_reads_the_assigned_partners_documents_but_changes_nothing(login, world):
    client = login(world["rep"])
    html = client.get("/documents").get_data(as_text=True)
    assert world["foreign"].number in html and world["bill"].number not in html
    assert client.get(f"/documents/{world['foreign'].id}").status_code == 200
    assert client.get(f"/documents/{world['bill'].id}").status_code == 404
    assert client.get(f"/office/documents/{world['foreign'].id}").status_code == 403
    response = client.post(f"/office/documents/{world['foreign'].id}/tags", data={"tag": "x"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentTag)) == 0


def test_partners_get_403_on_the_office(login, world):
    client = login(world["buyer"])
    for url in ("/office/documents", f"/office/documents/{world['bill'].id}", "/office/payments"):
        assert client.get(url).status_code == 403


def test_staff_filter_every_kind_by_kind_tag_date_and_partner(login, world):
    db.session.add(DocumentTag(document_id=world["foreign"].id, tag="dispute"))
    db.session.commit()
    client = login(world["staff"])

    def numbers(query):
        html = client.get(f"/office/documents{query}").get_data(as_text=True)
        return {
            key
            for key in ("note", "bill", "payment", "receipt", "foreign")
            if world[key].number in html
        }

    assert numbers("") == {"note", "bill", "payment", "receipt", "foreign"}
    assert numbers("?kind=PZ") == {"receipt"}
    assert numbers("?tag=dispute") == {"foreign"}
    assert numbers("?from=2026-11-02&to=2026-11-03") == {"note", "bill"}
    assert numbers("?partner=acme") == {"note", "bill", "payment"}
    assert numbers(f"?q={world['bill'].number}") == {"bill"}
    fragment = client.get("/office/documents?kind=FS", headers=HTMX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="documents">')


def test_office_list_pages_with_load_more_and_a_fixed_number_of_queries(
    login, world, count_queries
):
    client = login(world["staff"])
    client.get("/office/documents")
    count_queries.statements.clear()
    assert client.get("/office/documents").status_code == 200
    few = count_queries.count
    for n in range(60):
        invoice(world["mine"], on=date(2026, 9, 1 + n % 28))
    db.session.commit()
    count_queries.statements.clear()
    html = client.get("/office/documents").get_data(as_text=True)
    assert count_queries.count == few
    assert not any("count(" in s.lower() for s in count_queries.statements)
    more = (
        re.search(r'href="(/office/documents\?after=[^"]+)"', html).group(1).replace("&amp;", "&")
    )
    second = client.get(more, headers=HTMX).get_data(as_text=True)
    assert "<li" in second and '<div id="documents">' not in second
    partner = login(world["buyer"])
    count_queries.statements.clear()
    assert partner.get("/documents").status_code == 200
    assert count_queries.count <= few + 2


def test_staff_tag_and_untag_a_document_with_htmx_and_without(login, world):
    client = login(world["staff"])
    bill = world["bill"]
    response = client.post(
        f"/office/documents/{bill.id}/tags", data={"tag": "To check"}, headers=HTMX
    )
    assert response.status_code == 200 and "to check" in response.get_data(as_text=True)
    response = client.post(f"/office/documents/{bill.id}/tags", data={"tag": "  "}, headers=HTMX)
    assert response.status_code == 422 and "Enter a tag" in response.get_data(as_text=True)
    response = client.post(f"/office/documents/{bill.id}/tags/remove", data={"tag": "to check"})
    assert response.status_code == 303
    page = client.get(f"/office/documents/{bill.id}").get_data(as_text=True)
    assert "Tagged" in page and "Tag removed" in page and world["staff"].name in page


def test_staff_attach_files_checked_by_content_and_partners_see_the_visible_ones(login, world):
    client = login(world["staff"])
    bill = world["bill"]
    url = f"/office/documents/{bill.id}/attachments"
    response = client.post(
        url,
        data={"file": (io.BytesIO(png_bytes()), "delivery-photo.png"), "visible": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    client.post(
        url,
        data={"file": (io.BytesIO(b"%PDF-1.4 internal"), "credit-check.pdf")},
        content_type="multipart/form-data",
    )
    refused = client.post(
        url,
        data={"file": (io.BytesIO(b"MZ\x90\x00" + bytes(range(200))), "invoice-scan.jpg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Only PDF, JPEG, PNG, WebP, CSV and text files" in refused.get_data(as_text=True)
    rows = db.session.scalars(sa.select(DocumentAttachment).order_by(DocumentAttachment.id)).all()
    assert [(a.filename, a.content_type, a.internal) for a in rows] == [
        ("delivery-photo.png", "image/png", False),
        ("credit-check.pdf", "application/pdf", True),
    ]
    visible, internal = rows
    page = client.get(f"/office/documents/{bill.id}").get_data(as_text=True)
    assert "delivery-photo.png" in page and "credit-check.pdf" in page and "File attached" in page
    download = client.get(f"/office/documents/{bill.id}/attachments/{internal.id}")
    assert download.data == b"%PDF-1.4 internal"

    partner = login(world["buyer"])
    page = partner.get(f"/documents/{bill.id}").get_data(as_text=True)
    assert "delivery-photo.png" in page and "credit-check.pdf" not in page
    got = partner.get(f"/documents/{bill.id}/attachments/{visible.id}")
    assert got.status_code == 200 and got.data == png_bytes()
    assert got.headers["Content-Type"] == "image/png"
    assert partner.get(f"/documents/{bill.id}/attachments/{internal.id}").status_code == 404


def test_statement_page_and_pdf(login, world):
    client = login(world["buyer"])
    html = client.get("/documents/statement?from=2026-01-01").get_data(as_text=True)
    # 100 x 23 % + 50 x 8 % = 123.00 + 54.00 = 177.00; paid 100.00
    assert "Account statement" in html and world["bill"].number in html
    assert "PLN\u00a0177.00" in html and "PLN\u00a077.00" in html and "PLN\u00a05,000.00" in html
    assert world["foreign"].number not in html
    response = client.get("/documents/statement.pdf?from=2026-01-01")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
        ).stdout.decode()
    else:
        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Account statement" in text and world["bill"].number in text and "77.00" in text
    # a buyer cannot ask for another company's statement
    other = client.get(f"/documents/statement?company={world['theirs'].id}&from=2026-01-01")
    assert world["foreign"].number not in other.get_data(as_text=True)


def test_rep_and_staff_choose_a_partner_for_the_statement(login, world):
    rep = login(world["rep"])
    assert "Choose a partner" in rep.get("/documents/statement").get_data(as_text=True)
    html = rep.get(f"/documents/statement?company={world['theirs'].id}&from=2026-01-01").get_data(
        as_text=True
    )
    assert world["foreign"].number in html
    assert rep.get(f"/documents/statement?company={world['mine'].id}").status_code == 404
    staff = login(world["staff"])
    assert staff.get(f"/documents/statement?company={world['mine'].id}").status_code == 200


def test_staff_open_every_kind_of_document_page(login, world):
    from tests.http.test_tenancy import foreign_order

    order = foreign_order(world["mine"])
    draft = Document(kind=DocumentKind.ZD, state="draft")
    db.session.add(draft)
    db.session.commit()
    client = login(world["staff"])
    for document in (order, world["receipt"], world["note"], world["payment"], draft):
        response = client.get(f"/office/documents/{document.id}")
        assert response.status_code == 200, document.kind
    page = client.get(f"/office/documents/{order.id}").get_data(as_text=True)
    assert order.number in page and "Open the order" in page
    drafts = client.get("/office/documents?state=draft").get_data(as_text=True)
    assert "Draft ZD" in drafts and order.number not in drafts
