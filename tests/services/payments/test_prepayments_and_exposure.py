"""Prepayments: a card payment from Stripe's webhook and a bank transfer booked by staff become
a KP on the order, which moves to the order's invoice when it is issued. Exposure follows
DOMAIN.md: unpaid invoices (gross − paid, corrections included) + placed, not yet invoiced
orders that are not cancelled or rejected."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.documents.models import Document, DocumentKind
from portal.orders import credit
from portal.orders.models import PaymentMethod, PaymentState
from portal.orders.services import cancel_order
from portal.payments import services
from portal.payments.models import PaymentAllocation, PaymentChannel, PaymentInfo
from portal.payments.services import Outcome, allocate_prepayments, handle_event, record_payment
from portal.payments.stripe_gateway import WebhookEvent
from tests.builders import make_company, make_product, make_user
from tests.services.documents.helpers import DAY, invoice, issued
from tests.services.orders.helpers import fill_cart, place
from tests.services.payments.helpers import card_order, info_of
from tests.stripe_standin import event, stripe_standin_fixture  # noqa: F401

D = Decimal


def fresh(document: Document) -> Document:
    db.session.expire_all()
    return db.session.get_one(Document, document.id)


def allocations_to(document: Document) -> list[PaymentAllocation]:
    return list(
        db.session.scalars(
            sa.select(PaymentAllocation).where(PaymentAllocation.document_id == document.id)
        )
    )


def order_for(company, price="10.00", quantity="3", **checkout):
    buyer = make_user(role=Role.BUYER, company=company)
    fill_cart(buyer, (make_product(list_price=D(price), stock=100), quantity))
    return buyer, place(buyer, **checkout)


def test_a_paid_stripe_session_records_a_kp_allocated_to_the_order(stripe_standin):
    _, order = card_order()
    services.start_card_payment(order)
    session = stripe_standin.pay(info_of(order).stripe_session_id)
    payload = event("checkout.session.completed", session)
    outcome = handle_event(WebhookEvent(payload["id"], payload["type"], session))
    assert outcome is Outcome.PAID

    [allocation] = allocations_to(order)
    payment = db.session.get_one(Document, allocation.payment_id)
    assert payment.kind is DocumentKind.KP and payment.gross_total == D("45.53")
    assert payment.reference == session["payment_intent"] and payment.company_id == order.company_id
    assert allocation.amount == D("45.53") and fresh(order).paid_total == D("45.53")
    info = db.session.get_one(PaymentInfo, payment.id)
    assert info.channel is PaymentChannel.CARD and info.order_id == order.id
    # a repeated event makes no second payment
    again = event("checkout.session.completed", session)
    handle_event(WebhookEvent(again["id"], again["type"], session))
    assert len(allocations_to(order)) == 1


def test_a_bank_transfer_prepayment_marks_the_order_paid_and_moves_to_its_invoice():
    company = make_company()
    staff = make_user(role=Role.STAFF)
    _, order = order_for(company, payment_method=PaymentMethod.BANK_TRANSFER)
    assert info_of(order).payment_state is PaymentState.AWAITING
    gross = order.gross_total  # 30.00 net + 23 % = 36.90
    payment = record_payment(
        DocumentKind.KP,
        company,
        gross,
        on=DAY,
        channel=PaymentChannel.BANK_TRANSFER,
        reference="ZK prepayment",
        actor=staff,
        allocations=[(order, gross)],
    )
    assert info_of(order).payment_state is PaymentState.PAID
    assert db.session.get_one(PaymentInfo, payment.id).order_id == order.id

    bill = invoice(company, "30.00", sources=(order,))
    moved = allocate_prepayments(fresh(order), bill, actor=staff)
    assert moved == gross
    assert fresh(bill).paid_total == gross and fresh(bill).open_amount == D("0.00")
    assert fresh(order).paid_total == D("0.00") and allocations_to(order) == []
    [allocation] = allocations_to(bill)
    assert allocation.payment_id == payment.id and allocation.amount == gross
    assert fresh(payment).paid_total == gross  # the payment stays fully allocated


def test_a_prepayment_larger_than_the_invoice_leaves_the_rest_on_the_order():
    company = make_company()
    _, order = order_for(company, payment_method=PaymentMethod.BANK_TRANSFER)
    record_payment(
        DocumentKind.KP,
        company,
        order.gross_total,
        on=DAY,
        channel=PaymentChannel.BANK_TRANSFER,
        actor=None,
        allocations=[(order, order.gross_total)],
    )
    short = invoice(company, "20.00")  # 24.60: one unit was not delivered
    assert allocate_prepayments(fresh(order), short) == D("24.60")
    assert fresh(short).paid_total == D("24.60")
    assert fresh(order).paid_total == D("12.30")
    assert [a.amount for a in allocations_to(order)] == [D("12.30")]


def test_exposure_counts_open_invoices_corrections_and_uninvoiced_orders():
    company = make_company(credit_limit=D("1000.00"))
    assert credit.exposure(company) == D("0.00")
    buyer, open_order = order_for(company)  # 36.90, on account
    assert credit.exposure(company) == D("36.90")

    first = invoice(company)  # 123.00
    record_payment(
        DocumentKind.KP,
        company,
        D("23.00"),
        on=DAY,
        channel=PaymentChannel.BANK_TRANSFER,
        actor=None,
        allocations=[(first, D("23.00"))],
    )
    issued(DocumentKind.KOR, company, net="-10.00", sources=(first,))  # -12.30
    assert credit.exposure(company) == D("36.90") + D("100.00") - D("12.30")

    # an order that led (through its delivery note) to an invoice counts as that invoice
    _, shipped = order_for(company, price="20.00", quantity="1")
    note = issued(DocumentKind.WZ, company, net="20.00", sources=(shipped,))
    issued(DocumentKind.FS, company, net="20.00", sources=(note,))  # 24.60
    assert credit.exposure(company) == D("124.60") + D("24.60")

    cancel_order(open_order, actor=buyer)
    assert credit.exposure(company) == D("87.70") + D("24.60")
    # nothing of another company counts
    invoice(make_company())
    assert credit.exposure(company) == D("112.30")
    assert credit.on_account_allowed(company, D("887.70"))
    assert not credit.on_account_allowed(company, D("887.71"))
