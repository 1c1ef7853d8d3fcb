"""Staff invoice chosen delivery notes of a partner, and correct an invoice."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Invoicing, Role
from portal.core.db import db
from portal.documents.models import Document, DocumentKind
from portal.documents.services import lines_of
from portal.invoicing.queries import line_states
from portal.invoicing.services import issue_final_documents
from tests.builders import make_company, make_user
from tests.services.invoicing.helpers import D, order_of, set_up_seller, ship, stocked_product


@pytest.fixture(autouse=True)
def seller():
    set_up_seller()


@pytest.fixture
def partner():
    company = make_company(name="Monthly Partner", tax_id="7740001454", invoicing=Invoicing.MONTHLY)
    return make_user(role=Role.BUYER, company=company)


def shipped_notes(buyer, count):
    product = stocked_product(price="5.00")
    notes = [ship(order_of(buyer, (product, "1"))) for _ in range(count)]
    db.session.commit()
    return notes


def invoices_of(company_id):
    return list(
        db.session.scalars(
            sa.select(Document).where(
                Document.company_id == company_id, Document.kind == DocumentKind.FS
            )
        )
    )


def test_staff_choose_a_partner_and_invoice_two_of_its_delivery_notes(login, partner):
    notes = shipped_notes(partner, 3)
    staff = login(make_user(role=Role.STAFF))
    html = staff.get(f"/office/invoicing?company_id={partner.company_id}").get_data(as_text=True)
    assert all(note.number in html for note in notes)

    response = staff.post(
        "/office/invoicing",
        data={"company_id": partner.company_id, "note_id": [notes[0].id, notes[2].id]},
    )

    assert response.status_code == 303
    [invoice] = invoices_of(partner.company_id)
    assert invoice.net_total == D("10.00")
    page = staff.get(response.headers["Location"]).get_data(as_text=True)
    assert invoice.number in page  # the flash
    assert notes[1].number in page and notes[0].number not in page


def test_invoicing_nothing_or_a_note_again_is_refused_with_a_message(login, partner):
    notes = shipped_notes(partner, 1)
    staff = login(make_user(role=Role.STAFF))
    empty = staff.post("/office/invoicing", data={"company_id": partner.company_id})
    assert empty.status_code == 422
    assert "Choose at least one delivery note." in empty.get_data(as_text=True)
    staff.post("/office/invoicing", data={"company_id": partner.company_id, "note_id": notes[0].id})
    again = staff.post(
        "/office/invoicing", data={"company_id": partner.company_id, "note_id": notes[0].id}
    )
    assert again.status_code == 422
    assert "Already invoiced" in again.get_data(as_text=True)
    assert len(invoices_of(partner.company_id)) == 1


def test_another_partners_note_is_refused(login, partner):
    other = make_user(role=Role.BUYER, company=make_company(tax_id="5260001246"))
    [their_note] = shipped_notes(other, 1)
    staff = login(make_user(role=Role.STAFF))
    response = staff.post(
        "/office/invoicing", data={"company_id": partner.company_id, "note_id": their_note.id}
    )
    assert response.status_code == 422
    assert "another partner" in response.get_data(as_text=True)
    assert invoices_of(partner.company_id) == []


def test_the_page_asks_the_same_number_of_queries_for_few_or_many_notes(
    login, partner, count_queries
):
    staff = login(make_user(role=Role.STAFF))
    shipped_notes(partner, 1)
    url = f"/office/invoicing?company_id={partner.company_id}"
    staff.get(url)
    count_queries.statements.clear()
    staff.get(url)
    few = count_queries.count
    shipped_notes(partner, 4)
    count_queries.statements.clear()
    staff.get(url)
    assert count_queries.count == few


def test_staff_correct_an_invoice_line(login):
    buyer = make_user(role=Role.BUYER, company=make_company(tax_id="7740001454"))
    product = stocked_product(price="10.00")
    order = order_of(buyer, (product, "5"))
    invoice = issue_final_documents(order, ship(order), actor=None)
    db.session.commit()
    [line] = lines_of(invoice)
    staff = login(make_user(role=Role.STAFF))
    url = f"/office/documents/{invoice.id}/correct"
    assert invoice.number in staff.get(url).get_data(as_text=True)

    missing_reason = staff.post(url, data={f"quantity-{line.id}": "3"})
    assert missing_reason.status_code == 422
    assert 'id="reason-error"' in missing_reason.get_data(as_text=True)
    too_many = staff.post(url, data={f"quantity-{line.id}": "7", "reason": "r"})
    assert too_many.status_code == 422
    bad = staff.post(url, data={f"price-{line.id}": "abc", "reason": "r"})
    assert bad.status_code == 422 and f'id="price-{line.id}-error"' in bad.get_data(as_text=True)

    done = staff.post(url, data={f"quantity-{line.id}": "3", "reason": "2 returned"})
    assert done.status_code == 303
    db.session.expire_all()
    assert line_states(invoice)[0].quantity == D(3)
    [correction] = db.session.scalars(
        sa.select(Document).where(
            Document.kind == DocumentKind.KOR, Document.company_id == buyer.company_id
        )
    )
    assert correction.net_total == D("-20.00")


def test_only_invoices_and_receipts_can_be_corrected(login, partner):
    [note] = shipped_notes(partner, 1)
    staff = login(make_user(role=Role.STAFF))
    assert staff.get(f"/office/documents/{note.id}/correct").status_code == 404
    assert staff.get("/office/documents/999999/correct").status_code == 404


@pytest.mark.parametrize("role", [Role.BUYER, Role.PARTNER_ADMIN, Role.SALES_REP])
def test_partners_and_reps_cannot_invoice_or_correct(login, partner, role):
    [note] = shipped_notes(partner, 1)
    client = login(make_user(role=role, company=partner.company if role.is_partner else None))
    assert client.get("/office/invoicing").status_code == 403
    response = client.post(
        "/office/invoicing", data={"company_id": partner.company_id, "note_id": note.id}
    )
    assert response.status_code == 403
    assert client.get(f"/office/documents/{note.id}/correct").status_code == 403
    assert invoices_of(partner.company_id) == []
