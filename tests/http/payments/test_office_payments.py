"""Staff book payments at /office/payments: allocations prefilled oldest first, refusals shown
next to the field with nothing changed, the rest allocated later, and the accounting export."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentKind
from portal.payments.models import PaymentAllocation
from tests.builders import make_company, make_user
from tests.services.documents.helpers import invoice, issued

D = Decimal

try:  # parse like an accounting system would, safely, when defusedxml is installed
    from defusedxml.ElementTree import fromstring as parse_xml
except ImportError:  # pragma: no cover - our own output, parsed by the standard library
    parse_xml = ElementTree.fromstring


@pytest.fixture
def world():
    company = make_company(name="Acme Hurt", tax_id="5261040828")
    older = invoice(company, on=date(2026, 10, 1))  # 123.00
    newer = invoice(company, "200.00", on=date(2026, 11, 1))  # 246.00
    foreign = invoice(make_company(), on=date(2026, 10, 2))
    staff = make_user(role=Role.STAFF)
    db.session.commit()
    return {"company": company, "older": older, "newer": newer, "foreign": foreign, "staff": staff}


def fresh(document: Document) -> Document:
    db.session.expire_all()
    return db.session.get_one(Document, document.id)


def payments() -> list[Document]:
    return list(db.session.scalars(sa.select(Document).where(Document.kind == DocumentKind.KP)))


def form(world, **values):
    data = {
        "company": str(world["company"].id),
        "kind": "KP",
        "amount": "200,00",
        "on": "2026-11-20",
        "channel": "bank_transfer",
        "reference": "Przelew 7/11",
    }
    data.update(values)
    return data


def test_the_form_prefills_allocations_oldest_first(login, world):
    client = login(world["staff"])
    html = client.get(
        "/office/payments/new", query_string={"company": world["company"].id, "amount": "200"}
    ).get_data(as_text=True)
    older, newer = world["older"], world["newer"]
    assert re.search(rf'name="alloc-{older.id}" value="123.00"', html)
    assert re.search(rf'name="alloc-{newer.id}" value="77.00"', html)
    assert world["foreign"].number not in html
    fragment = client.get(
        "/office/payments/new",
        query_string={"company": world["company"].id, "amount": "50"},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert (
        fragment.lstrip().startswith("<form")
        and f'name="alloc-{older.id}" value="50.00"' in fragment
    )


def test_staff_record_a_transfer_across_two_invoices(login, world):
    client = login(world["staff"])
    older, newer = world["older"], world["newer"]
    response = client.post(
        "/office/payments/new",
        data=form(world, **{f"alloc-{older.id}": "123.00", f"alloc-{newer.id}": "77,00"}),
    )
    assert response.status_code == 303
    [payment] = payments()
    assert payment.gross_total == D("200.00") and payment.reference == "Przelew 7/11"
    assert fresh(older).paid_total == D("123.00") and fresh(newer).paid_total == D("77.00")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert payment.number in page and older.number in page and newer.number in page
    listing = client.get("/office/payments").get_data(as_text=True)
    assert payment.number in listing


def test_allocating_more_than_the_payment_is_refused_next_to_the_field(login, world):
    client = login(world["staff"])
    older, newer = world["older"], world["newer"]
    response = client.post(
        "/office/payments/new",
        data=form(
            world, amount="150", **{f"alloc-{older.id}": "123.00", f"alloc-{newer.id}": "77.00"}
        ),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The allocations add up to PLN\u00a0200.00, more than the PLN\u00a0150.00 left" in html
    assert 'id="amount-error"' in html and 'value="150"' in html  # input kept
    too_much = client.post(
        "/office/payments/new", data=form(world, **{f"alloc-{older.id}": "124.00"})
    )
    assert too_much.status_code == 422
    assert f'id="alloc-{older.id}-error"' in too_much.get_data(as_text=True)
    bad = client.post("/office/payments/new", data=form(world, amount="abc"))
    assert bad.status_code == 422 and "Enter a number" in bad.get_data(as_text=True)
    assert payments() == [] and fresh(older).paid_total == D("0.00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentAllocation)) == 0


def test_the_rest_of_a_payment_is_allocated_from_its_page(login, world):
    client = login(world["staff"])
    client.post("/office/payments/new", data=form(world, amount="300"))
    [payment] = payments()
    url = f"/office/payments/{payment.id}/allocations"
    page = client.get(f"/office/documents/{payment.id}").get_data(as_text=True)
    assert "Allocate the rest" in page
    refused = client.post(url, data={"document": world["older"].id, "amount": "124"})
    assert refused.status_code == 422 and "has only" in refused.get_data(as_text=True)
    foreign = client.post(url, data={"document": world["foreign"].id, "amount": "1"})
    assert foreign.status_code == 422
    done = client.post(url, data={"document": world["older"].id, "amount": "123.00"})
    assert done.status_code == 303
    assert fresh(payment).paid_total == D("123.00") and fresh(world["older"]).paid_total == D(
        "123.00"
    )


def test_export_of_invoices_and_payments_as_csv_and_xml(login, world):
    client = login(world["staff"])
    client.post(
        "/office/payments/new",
        data=form(world, amount="123", on="2026-10-15", **{f"alloc-{world['older'].id}": "123"}),
    )
    issued(DocumentKind.WZ, world["company"], on=date(2026, 10, 3))  # not for accounting
    db.session.commit()
    [payment] = payments()

    response = client.get("/office/payments/export?from=2026-10-01&to=2026-10-31&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["kind"], r["number"]) for r in rows] == [
        ("FS", world["older"].number),
        ("FS", world["foreign"].number),
        ("KP", payment.number),
    ]
    assert rows[0]["gross"] == "123.00" and rows[0]["tax_id"] == "5261040828"
    assert rows[2]["allocated_to"] == f"{world['older'].number} 123.00"

    response = client.get("/office/payments/export?from=2026-10-01&to=2026-10-31&format=xml")
    root = parse_xml(response.data)
    documents = root.findall("document")
    assert [d.get("number") for d in documents] == [r["number"] for r in rows]
    rate = documents[0].find("vat-rates/rate")
    assert (rate.get("percent"), rate.get("net"), rate.get("vat")) == ("23.00", "100.00", "23.00")
    assert documents[2].find("allocations/allocation").get("amount") == "123.00"

    wrong = client.get("/office/payments/export?from=2026-10-31&to=2026-10-01&format=csv")
    assert wrong.status_code == 422 and "before the first" in wrong.get_data(as_text=True)
    assert client.get("/office/payments/export").status_code == 200


def test_partners_and_reps_cannot_book_payments(login, world):
    for role in (Role.BUYER, Role.SALES_REP):
        user = make_user(role=role, company=world["company"] if role is Role.BUYER else None)
        db.session.commit()
        client = login(user)
        assert client.get("/office/payments/new").status_code == 403
        assert client.post("/office/payments/new", data=form(world)).status_code == 403
        assert (
            client.get("/office/payments/export?from=2026-10-01&to=2026-10-31").status_code == 403
        )
    assert payments() == []
