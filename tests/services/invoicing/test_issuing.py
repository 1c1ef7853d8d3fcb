"""Final documents issued after packing: FS from net, PA from gross, WDT, the rules, monthly
invoicing, staff-chosen delivery notes, and what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import Invoicing, Role
from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLink
from portal.documents.services import lines_of
from portal.invoicing.services import (
    REVERSE_CHARGE_NOTE,
    InvoicingError,
    invoice_delivery_notes,
    issue_final_documents,
)
from portal.orders.models import DeliveryMethod
from tests.builders import make_company, make_user
from tests.services.invoicing.helpers import (
    TODAY,
    D,
    order_of,
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


def buyer_of(**company):
    values = {"tax_id": "7740001454", "tax_country": "PL", "email": "office@partner.example"}
    values.update(company)
    return make_user(role=Role.BUYER, company=make_company(**values))


def linked(source, target) -> bool:
    return db.session.get(DocumentLink, (source.id, target.id)) is not None


def test_a_partner_with_a_tax_id_gets_an_fs_computed_from_net(staff):
    buyer = buyer_of(payment_terms_days=21)
    hinge, screw = stocked_product(price="0.99"), stocked_product(price="0.99")
    nut, bread = stocked_product(price="0.99"), stocked_product(price="3.33", vat="8")
    order = order_of(buyer, (hinge, "1"), (screw, "1"), (nut, "1"), (bread, "3"))
    note = ship(order)

    invoice = issue_final_documents(order, note, actor=staff)

    assert invoice.kind is DocumentKind.FS and invoice.number.startswith("FS/")
    # 23 %: net 2.97, VAT 0.6831 -> 0.68 rounded once; 8 %: net 9.99, VAT 0.80.
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        D("12.96"),
        D("1.48"),
        D("14.44"),
    )
    assert invoice.due_on == note.issued_on + timedelta(days=21)
    note_lines = lines_of(note)
    lines = lines_of(invoice)
    assert [line.source_line_id for line in lines] == [line.id for line in note_lines]
    assert [(line.sku, line.quantity, line.unit_price, line.vat_percent) for line in lines] == [
        (hinge.sku, D(1), D("0.99"), D("23.00")),
        (screw.sku, D(1), D("0.99"), D("23.00")),
        (nut.sku, D(1), D("0.99"), D("23.00")),
        (bread.sku, D(3), D("3.33"), D("8.00")),
    ]
    assert linked(order, invoice) and linked(note, invoice)
    assert invoice.user_id == buyer.id and invoice.company_id == buyer.company_id
    assert invoice.pdf_key


def test_a_partner_without_a_tax_id_gets_a_pa_computed_from_gross(staff):
    buyer = buyer_of(tax_id=None, tax_country=None)
    products = [stocked_product(price="0.99") for _ in range(3)]
    order = order_of(buyer, *((product, "1") for product in products))

    receipt = issue_final_documents(order, ship(order), actor=staff)

    assert receipt.kind is DocumentKind.PA
    # Each line 0.99 net is 1.22 gross; 3.66 gross holds 0.68 VAT (3.66 x 23/123).
    assert (receipt.gross_total, receipt.vat_total, receipt.net_total) == (
        D("3.66"),
        D("0.68"),
        D("2.98"),
    )


@pytest.mark.parametrize(
    ("message", "tax_id", "expected"),
    [
        ("Proszę o fakturę", None, DocumentKind.FS),
        ("Paragon proszę", "7740001454", DocumentKind.PA),
        ("tylko WZ", "7740001454", None),
        ("WZór w załączniku", "7740001454", DocumentKind.FS),
        ("", None, DocumentKind.PA),
    ],
)
def test_the_rules_read_the_orders_note(staff, message, tax_id, expected):
    buyer = buyer_of(tax_id=tax_id)
    order = order_of(buyer, (stocked_product(), "2"), message=message)

    document = issue_final_documents(order, ship(order), actor=staff)

    assert (document.kind if document else None) is expected


def test_a_partner_invoiced_monthly_gets_nothing_per_delivery(staff):
    buyer = buyer_of(invoicing=Invoicing.MONTHLY)
    order = order_of(buyer, (stocked_product(), "2"), message="faktura")
    assert issue_final_documents(order, ship(order), actor=staff) is None


def test_an_eu_partner_outside_poland_gets_zero_percent_wdt_with_the_reverse_charge_note(staff):
    buyer = buyer_of(tax_id="DE136695976", tax_country="DE", country="DE")
    order = order_of(buyer, (stocked_product(price="100.00"), "2"), (stocked_product(vat="8"), "1"))

    invoice = issue_final_documents(order, ship(order), actor=staff)

    assert invoice.kind is DocumentKind.FS
    assert {line.vat_percent for line in lines_of(invoice)} == {D("0.00")}
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        D("210.00"),
        D("0.00"),
        D("210.00"),
    )
    assert invoice.note == REVERSE_CHARGE_NOTE


def test_partial_deliveries_split_the_discount_exactly_and_the_delivery_goes_with_the_first(staff):
    buyer = buyer_of()
    product = stocked_product(price="10.00")
    order = order_of(
        buyer,
        (product, "3"),
        delivery_method=DeliveryMethod.COURIER,
        extra_discount_amount=D("1.00"),
    )
    first = issue_final_documents(order, ship(order, {product.sku: "1"}), actor=staff)
    second = issue_final_documents(order, ship(order, {product.sku: "2"}), actor=staff)

    first_lines, second_lines = lines_of(first), lines_of(second)
    assert [line.sku for line in first_lines] == [product.sku, "DELIVERY"]
    assert [line.sku for line in second_lines] == [product.sku]
    # 1.00 off 3 pieces: 0.33 on the first piece, 0.67 on the other two; nothing lost.
    assert (first_lines[0].discount, second_lines[0].discount) == (D("0.33"), D("0.67"))
    assert first.net_total + second.net_total == order.net_total
    assert first.gross_total + second.gross_total == order.gross_total


def test_staff_invoice_chosen_delivery_notes_of_one_partner(staff):
    buyer = buyer_of(invoicing=Invoicing.MONTHLY)
    product = stocked_product(price="5.00")
    notes = []
    orders = []
    for quantity in ("1", "2"):
        order = order_of(buyer, (product, quantity))
        orders.append(order)
        notes.append(ship(order))

    invoice = invoice_delivery_notes(buyer.company, notes, actor=staff, on=TODAY)

    assert invoice.kind is DocumentKind.FS
    assert invoice.net_total == D("15.00")
    assert invoice.user_id is None  # two orders, maybe two buyers: the company's invoice
    assert all(linked(note, invoice) for note in notes)
    assert all(linked(order, invoice) for order in orders)
    with pytest.raises(InvoicingError, match="Already invoiced"):
        invoice_delivery_notes(buyer.company, notes[:1], actor=staff, on=TODAY)


def test_notes_of_another_partner_or_no_notes_are_refused(staff):
    mine, theirs = buyer_of(), buyer_of()
    order = order_of(theirs, (stocked_product(), "1"))
    their_note = ship(order)
    with pytest.raises(InvoicingError, match="another partner"):
        invoice_delivery_notes(mine.company, [their_note], actor=staff)
    with pytest.raises(InvoicingError, match="at least one"):
        invoice_delivery_notes(mine.company, [], actor=staff)
    with pytest.raises(InvoicingError, match="not an issued delivery note"):
        invoice_delivery_notes(theirs.company, [order], actor=staff)
    assert not db.session.scalars(
        sa.select(Document)
        .where(Document.kind.in_((DocumentKind.FS, DocumentKind.PA)))
        .where(Document.company_id.in_((mine.company_id, theirs.company_id)))
    ).all()


def test_the_monthly_command_invoices_each_monthly_partner_once(app, staff):
    monthly, per_delivery = buyer_of(invoicing=Invoicing.MONTHLY), buyer_of()
    product = stocked_product()
    for buyer in (monthly, monthly, per_delivery):
        ship(order_of(buyer, (product, "1")))

    runner = app.test_cli_runner()
    result = runner.invoke(args=["invoicing", "monthly", "--month", f"{TODAY:%Y-%m}"])

    assert result.exit_code == 0, result.output
    assert "1 issued" in result.output
    invoices = db.session.scalars(
        sa.select(Document)
        .where(Document.kind == DocumentKind.FS)
        .where(Document.company_id.in_((monthly.company_id, per_delivery.company_id)))
    ).all()
    assert [invoice.company_id for invoice in invoices] == [monthly.company_id]
    assert invoices[0].net_total == D("20.00")
    again = runner.invoke(args=["invoicing", "monthly", "--month", f"{TODAY:%Y-%m}"])
    assert "0 issued" in again.output
    assert runner.invoke(args=["invoicing", "monthly", "--month", "2026-13"]).exit_code != 0


def test_the_prepayment_hook_is_called_with_the_order_and_its_invoice(monkeypatch, staff):
    from portal.payments import services as payments

    calls = []
    monkeypatch.setattr(
        payments,
        "allocate_prepayments",
        lambda order, invoice, actor: calls.append((order.id, invoice.id)),
    )
    buyer = buyer_of()
    order = order_of(buyer, (stocked_product(), "1"))
    invoice = issue_final_documents(order, ship(order), actor=staff)
    assert calls == [(order.id, invoice.id)]
