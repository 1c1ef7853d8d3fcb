"""The PDFs read back with pdftotext, and the e-mail that carries them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.pdf import pdf_path, render_pdf, store_pdf
from portal.documents.services import lines_of
from portal.invoicing.services import LineChange, issue_correction, issue_final_documents
from portal.notifications.delivery import build_email
from portal.notifications.models import EmailTemplate, OutboxMessage
from portal.seller.services import update_seller
from tests.builders import make_company, make_user
from tests.services.invoicing.helpers import (
    D,
    order_of,
    pdf_text,
    set_up_seller,
    ship,
    stocked_product,
)


@pytest.fixture(autouse=True)
def seller():
    set_up_seller()


@pytest.fixture
def staff():
    return make_user(role=Role.STAFF)


def polish_buyer(**company):
    values = {
        "name": "Łódzka Hurtownia Śrub Sp. z o.o.",
        "tax_id": "7740001454",
        "tax_country": "PL",
        "email": "Biuro@Hurtownia.example",
        "city": "Łódź",
        "payment_terms_days": 14,
    }
    values.update(company)
    return make_user(
        role=Role.BUYER,
        company=make_company(**values),
        language="pl",
        email="anna@hurtownia.example",
    )


def invoice_for(staff, buyer):
    hinge = stocked_product(price="1234.50", name="Zawias żółty")
    bread = stocked_product(price="3.33", vat="8", name="Chleb żytni")
    order = order_of(buyer, (hinge, "2"), (bread, "3"))
    return issue_final_documents(order, ship(order), actor=staff)


def test_the_invoice_pdf_has_the_parties_lines_vat_summary_terms_and_account(staff):
    invoice = invoice_for(staff, polish_buyer())
    text = pdf_text(invoice)

    assert invoice.number in text
    assert "Zażółć Gęślą Jaźń Sp. z o.o." in text and "ul. Źródlana 7" in text
    assert "Łódzka Hurtownia Śrub Sp. z o.o." in text and "Łódź" in text
    assert "526-000-12-46" in text  # the seller's NIP
    assert "774-000-14-54" in text  # the buyer's NIP
    hinge_line, bread_line = lines_of(invoice)
    # One row per line: position, SKU, name, quantity and unit, net price, VAT rate, net.
    assert f"1 {hinge_line.sku} Zawias żółty 2 szt. 1 234,50 23,00 % 2 469,00" in text
    assert f"2 {bread_line.sku} Chleb żytni 3 szt. 3,33 8,00 % 9,99" in text
    assert "Rabat" not in text  # no line has a discount, so there is no discount column
    # 23 %: 2 x 1 234,50 = 2 469,00 net, 567,87 VAT; 8 %: 9,99 net, 0,80 VAT.
    assert "23,00 % 2 469,00 567,87 3 036,87" in text
    assert "8,00 % 9,99 0,80 10,79" in text
    assert "2 478,99 568,67 3 047,66" in text
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        D("2478.99"),
        D("568.67"),
        D("3047.66"),
    )
    assert invoice.due_on.isoformat() in text
    assert "PL61 1090 1014 0000 0712 1981 2874" in text


def test_a_discounted_invoice_has_a_discount_column(staff):
    buyer = polish_buyer()
    order = order_of(buyer, (stocked_product(price="10.00"), "3"), extra_discount_amount=D("1.00"))
    invoice = issue_final_documents(order, ship(order), actor=staff)
    [line] = lines_of(invoice)
    text = pdf_text(invoice)
    assert "Rabat" in text
    assert f"1 {line.sku} " in text and " 3 szt. 10,00 1,00 23,00 % 29,00" in text


def test_the_pdf_is_rendered_once_and_kept(staff):
    invoice = invoice_for(staff, polish_buyer())
    key = invoice.pdf_key
    path = pdf_path(invoice)
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    update_seller({"name": "Someone Else"})
    store_pdf(invoice)
    assert invoice.pdf_key == key
    assert "Zażółć" in pdf_text(invoice)
    assert render_pdf(invoice).startswith(b"%PDF")


def test_the_delivery_note_pdf_lists_what_left_with_its_batches(staff):
    buyer = polish_buyer()
    product = stocked_product(name="Śruba M8")
    order = order_of(buyer, (product, "4"))
    note = ship(order)
    store_pdf(note)
    text = pdf_text(note)
    assert note.number in text and "Śruba M8" in text and f"LOT-{product.id}" in text
    assert order.number in text


def test_the_correction_pdf_shows_before_after_and_the_difference_per_rate(staff):
    invoice = invoice_for(staff, polish_buyer())
    hinge_line, _bread = lines_of(invoice)
    correction = issue_correction(
        invoice, [LineChange(hinge_line.id, returned=D(1))], actor=staff, reason="Zwrot: wada"
    )
    text = pdf_text(correction)
    assert correction.number in text and invoice.number in text
    assert "2 1 234,50 2 469,00" in text  # before
    assert "1 1 234,50 1 234,50" in text  # after
    assert "-1 -1 234,50" in text  # difference
    assert "23,00 % -1 234,50 -283,94 -1 518,44" in text
    assert "Zwrot: wada" in text


def mails():
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == "documents/issued")
            .order_by(OutboxMessage.id)
        )
    )


def test_issuing_mails_the_pdf_to_the_buyer_with_a_copy_to_the_company(staff):
    invoice = invoice_for(staff, polish_buyer())
    [mail] = mails()
    assert mail.recipient == "anna@hurtownia.example"
    assert mail.cc == "biuro@hurtownia.example"
    filename = f"{invoice.number.replace('/', '-')}.pdf"
    assert mail.attachments == [
        {"filename": filename, "document_id": str(invoice.id), "content_type": "application/pdf"}
    ]
    # The PDF was rendered once the invoice committed; the mail carries that very file.
    assert invoice.pdf_key
    [attachment] = build_email(mail).iter_attachments()
    assert attachment.get_filename() == filename
    assert attachment.get_content() == pdf_path(invoice).read_bytes()
    assert invoice.number in mail.subject
    assert invoice.number in mail.body_text
    assert "3 047,66" in mail.body_text.replace("\u00a0", " ")


def test_nothing_is_mailed_when_the_seller_does_not_email_documents(staff):
    update_seller({"email_documents": False})
    invoice_for(staff, polish_buyer())
    assert mails() == []


def test_the_admins_template_is_used_in_the_buyers_language(staff):
    db.session.add(
        EmailTemplate(
            code="documents/issued",
            language="pl",
            subject="Dokument {{ number }}",
            body_html="<p>Dzień dobry {{ name }}, do zapłaty {{ gross|money }}.</p>",
        )
    )
    invoice = invoice_for(staff, polish_buyer())
    [mail] = mails()
    assert mail.subject == f"Dokument {invoice.number}"
    assert "Dzień dobry" in mail.body_text and "3 047,66 zł" in mail.body_text.replace(
        "\u00a0", " "
    )
    assert mail.attachments[0]["document_id"] == str(invoice.id)


def test_a_broken_admin_template_falls_back_to_the_file(staff):
    db.session.add(
        EmailTemplate(
            code="documents/issued",
            language="pl",
            subject="x",
            body_html="{{ name.__class__.__mro__[1].__subclasses__() }}",
        )
    )
    invoice = invoice_for(staff, polish_buyer())
    [mail] = mails()
    assert invoice.number in mail.subject


def test_the_mail_is_delivered_with_the_pdf_attached(app, staff):
    from portal.notifications.delivery import build_email

    invoice = invoice_for(staff, polish_buyer())
    [mail] = mails()
    email = build_email(mail)
    [attachment] = list(email.iter_attachments())
    assert attachment.get_filename() == f"{invoice.number.replace('/', '-')}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
