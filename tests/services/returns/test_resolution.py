"""Resolving an inspected RMA: corrective invoices, refunds (bank and card), replacements,
repairs, the restocking fee, and closing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from portal.accounts.models import Company
from portal.core.clock import local_today
from portal.core.db import db
from portal.documents.models import Document, DocumentKind, DocumentLine, DocumentLink
from portal.orders.models import PaymentMethod
from portal.payments.models import PaymentChannel, PaymentInfo
from portal.payments.services import record_payment
from portal.returns import handling, resolution
from portal.returns.handling import Inspection
from portal.returns.models import (
    Condition,
    RefundState,
    Resolution,
    ReturnPolicy,
    RmaKind,
    RmaStatus,
)
from portal.returns.resolution import ResolutionError
from portal.stock.models import StockLevel
from tests.builders import main_warehouse
from tests.services.returns.test_handling import (
    Delivered,
    delivered_order,
    info,
    linked,
    make_rma,
    received,
    staff_member,
)
from tests.stripe_standin import stripe_standin_fixture  # noqa: F401

D = Decimal


def inspected(
    delivered: Delivered,
    *claims: tuple[int, str, Resolution],
    kind: RmaKind = RmaKind.RETURN,
    condition: Condition = Condition.RESELLABLE,
) -> Document:
    rma = make_rma(delivered, *claims, kind=kind)
    staff = staff_member()
    received(rma, staff)
    handling.inspect(
        rma,
        actor=staff,
        findings=[
            Inspection(claim.line.id, claim.line.quantity, condition)
            for claim in handling.claim_lines(rma)
        ],
    )
    db.session.commit()
    return rma


def led_to(rma: Document, kind: DocumentKind) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .join(DocumentLink, DocumentLink.target_id == Document.id)
            .where(DocumentLink.source_id == rma.id, Document.kind == kind)
            .order_by(Document.id)
        )
    )


def lines_of(document: Document) -> list[DocumentLine]:
    return list(
        db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == document.id)
            .order_by(DocumentLine.position)
        )
    )


def pay(delivered: Delivered, amount: Decimal | None = None) -> Document:
    """The partner pays (part of) its invoice by bank transfer."""
    assert delivered.invoice is not None
    invoice = db.session.get_one(Document, delivered.invoice.id)
    company = db.session.get_one(Company, invoice.company_id)
    amount = invoice.gross_total if amount is None else amount
    return record_payment(
        DocumentKind.KP,
        company,
        amount,
        on=local_today(),
        channel=PaymentChannel.BANK_TRANSFER,
        actor=None,
        allocations=[(invoice, amount)],
    )


def set_fee(percent: str, valid_from: date) -> None:
    db.session.add(
        ReturnPolicy(
            valid_from=valid_from,
            return_window_days=30,
            warranty_months=24,
            restocking_fee_percent=D(percent),
        )
    )
    db.session.flush()


# --- credit ------------------------------------------------------------------------------------


def test_a_credit_is_a_kor_that_lowers_what_the_partner_owes_on_an_unpaid_invoice():
    delivered = delivered_order(("10.00", "5"), tax_id="5260001246")
    assert delivered.invoice is not None and delivered.invoice.kind is DocumentKind.FS
    rma = inspected(delivered, (0, "2", Resolution.CREDIT))

    resolved = resolution.resolve(rma, actor=staff_member())

    [kor] = resolved.corrections
    assert kor.kind is DocumentKind.KOR
    assert linked(delivered.invoice, kor) and linked(rma, kor)
    [row] = lines_of(kor)
    assert (row.quantity, row.net) == (D("-2"), D("-20.00"))
    assert kor.gross_total == D("-24.60")
    assert resolved.payments == [] and resolved.fees == []
    found = info(rma)
    assert found.status is RmaStatus.RESOLVED
    assert found.refund_state is RefundState.NONE
    invoice = db.session.get_one(Document, delivered.invoice.id)
    assert invoice.gross_total + kor.gross_total == D("36.90")  # 61.50 - 24.60 still owed


def test_a_return_pays_the_restocking_fee_of_the_policy_in_force_on_delivery():
    set_fee("10.00", local_today() - timedelta(days=400))
    delivered = delivered_order(("10.00", "5"))
    set_fee("50.00", local_today() + timedelta(days=1))  # a later policy: not this delivery's
    rma = inspected(delivered, (0, "2", Resolution.CREDIT))

    resolved = resolution.resolve(rma, actor=staff_member())

    [fee] = resolved.fees
    assert fee.kind is delivered.invoice.kind  # a receipt customer gets a receipt
    assert fee.net_total == D("2.00")
    assert info(rma).restocking_fee == fee.gross_total == D("2.46")
    assert linked(resolved.corrections[0], fee)


def test_a_complaint_pays_no_restocking_fee():
    set_fee("10.00", local_today() - timedelta(days=400))
    delivered = delivered_order(("10.00", "5"))
    rma = inspected(delivered, (0, "1", Resolution.CREDIT), kind=RmaKind.COMPLAINT)

    resolved = resolution.resolve(rma, actor=staff_member())

    assert resolved.fees == [] and info(rma).restocking_fee == D("0.00")


# --- refunds -----------------------------------------------------------------------------------


def test_a_bank_refund_pays_back_only_what_was_paid_allocated_to_the_kor():
    set_fee("10.00", local_today() - timedelta(days=400))
    delivered = delivered_order(("10.00", "5"))  # 61.50 gross
    pay(delivered, D("50.00"))  # 11.50 still open
    rma = inspected(delivered, (0, "3", Resolution.REFUND))

    resolved = resolution.resolve(rma, actor=staff_member())

    [kor] = resolved.corrections
    assert kor.gross_total == D("-36.90")
    [fee] = resolved.fees
    assert fee.gross_total == D("3.69")
    [payment] = resolved.payments
    # Owed now: 61.50 - 50.00 - 36.90 + 3.69 = -21.71: that much comes back.
    assert payment.kind is DocumentKind.KW and payment.gross_total == D("21.71")
    assert db.session.get_one(PaymentInfo, payment.id).channel is PaymentChannel.BANK_TRANSFER
    assert linked(payment, kor) and linked(rma, payment)
    found = info(rma)
    assert found.refund_amount == D("21.71")
    assert found.refund_state is RefundState.REFUNDED


def test_nothing_is_refunded_for_an_unpaid_invoice():
    delivered = delivered_order(("10.00", "5"))
    rma = inspected(delivered, (0, "1", Resolution.REFUND))

    resolved = resolution.resolve(rma, actor=staff_member())

    assert resolved.payments == []
    assert info(rma).refund_amount == D("0.00")
    assert len(resolved.corrections) == 1


def card_paid_order(quantity: str = "5") -> Delivered:
    def paid_by_card(order: Document) -> None:
        company = db.session.get_one(Company, order.company_id)
        record_payment(
            DocumentKind.KP,
            company,
            order.gross_total,
            on=local_today(),
            channel=PaymentChannel.CARD,
            reference="pi_test_paid",
            actor=None,
            allocations=[(order, order.gross_total)],
            order=order,
        )

    return delivered_order(
        ("10.00", quantity), payment_method=PaymentMethod.CARD, before_packing=paid_by_card
    )


def test_a_card_paid_order_is_refunded_through_stripe_once(stripe_standin):
    delivered = card_paid_order()
    assert db.session.get_one(Document, delivered.invoice.id).paid_total == D("61.50")
    rma = inspected(delivered, (0, "2", Resolution.REFUND))

    resolved = resolution.resolve(rma, actor=staff_member())

    [call] = stripe_standin.refund_creations()
    assert call.params == {"amount": "2460", "payment_intent": "pi_test_paid"}
    assert call.idempotency_key
    [payment] = resolved.payments
    assert payment.gross_total == D("24.60")
    assert db.session.get_one(PaymentInfo, payment.id).channel is PaymentChannel.CARD
    found = info(rma)
    assert found.refund_state is RefundState.REFUNDED
    assert found.stripe_refund_id == payment.reference and payment.reference.startswith("re_")
    with pytest.raises(ResolutionError):
        resolution.retry_refund(rma, actor=staff_member())
    assert len(stripe_standin.refund_creations()) == 1


def test_a_failed_card_refund_is_shown_and_a_retry_refunds_once(stripe_standin):
    delivered = card_paid_order()
    rma = inspected(delivered, (0, "1", Resolution.REFUND))
    stripe_standin.fail_next(500)

    resolved = resolution.resolve(rma, actor=staff_member())

    assert resolved.payments == []
    found = info(rma)
    assert found.status is RmaStatus.RESOLVED
    assert found.refund_state is RefundState.FAILED
    assert "Stripe did not make the refund" in found.refund_error
    with pytest.raises(ResolutionError):
        resolution.close(rma, actor=staff_member())

    payments = resolution.retry_refund(rma, actor=staff_member())

    assert [payment.gross_total for payment in payments] == [D("12.30")]
    calls = stripe_standin.refund_creations()
    assert len(calls) == 2 and calls[0].idempotency_key == calls[1].idempotency_key
    assert len(stripe_standin.refunds) == 1  # one refund made, whatever the attempts
    assert info(rma).refund_state is RefundState.REFUNDED and info(rma).refund_error == ""
    resolution.close(rma, actor=staff_member())
    assert info(rma).status is RmaStatus.CLOSED


def test_a_refund_answered_by_stripe_but_not_recorded_is_not_paid_twice(stripe_standin):
    delivered = card_paid_order()
    rma = inspected(delivered, (0, "1", Resolution.REFUND))
    assert resolution.refund_parts(resolution._refund_corrections(rma)) == []  # no KOR yet
    stripe_standin.fail_next(500)
    resolution.resolve(rma, actor=staff_member())
    [part] = resolution.refund_parts(resolution._refund_corrections(rma))
    # Stripe made the refund, but our answer was lost (a timeout): the same key again.
    from portal.payments import stripe_gateway

    stripe_gateway.refund(part.payment_intent, 1230, idempotency_key=part.idempotency_key)

    resolution.retry_refund(rma, actor=staff_member())

    assert len(stripe_standin.refunds) == 1
    assert info(rma).refund_state is RefundState.REFUNDED


# --- replacement and repair ---------------------------------------------------------------------


def test_a_replacement_is_a_new_order_at_zero_price_that_reserves_stock():
    delivered = delivered_order(("10.00", "5"))
    rma = inspected(delivered, (0, "2", Resolution.REPLACEMENT))
    product = delivered.products[0]
    level = db.session.get_one(StockLevel, (product.id, main_warehouse().id))
    reserved_before = level.reserved

    resolved = resolution.resolve(rma, actor=staff_member())

    order = resolved.replacement
    assert order is not None and order.kind is DocumentKind.ZK and order.number
    assert order.gross_total == D("0.00") and order.status_id is not None
    [line] = lines_of(order)
    assert (line.product_id, line.quantity, line.unit_price, line.reserved) == (
        product.id,
        D("2"),
        D("0.00"),
        D("2"),
    )
    db.session.expire_all()
    level = db.session.get_one(StockLevel, (product.id, main_warehouse().id))
    assert level.reserved == reserved_before + 2
    assert linked(rma, order)
    assert resolved.corrections == [] and resolved.payments == []


def test_a_replacement_shipped_in_advance_is_not_ordered_again():
    delivered = delivered_order(("10.00", "5"))
    rma = make_rma(delivered, (0, "2", Resolution.REPLACEMENT))
    staff = staff_member()
    early = handling.approve(rma, actor=staff, instructions="", ship_replacement_now=True)
    db.session.commit()
    [claim] = handling.claim_lines(rma)
    handling.receive(rma, actor=staff, quantities={claim.line.id: D(2)})
    handling.inspect(
        rma, actor=staff, findings=[Inspection(claim.line.id, D(2), Condition.DAMAGED)]
    )

    resolved = resolution.resolve(rma, actor=staff)

    assert resolved.replacement is not None and early is not None
    assert resolved.replacement.id == early.id
    assert len(led_to(rma, DocumentKind.ZK)) == 1


def test_a_repair_moves_no_money():
    delivered = delivered_order(("10.00", "5"))
    rma = inspected(
        delivered, (0, "1", Resolution.REPAIR), kind=RmaKind.COMPLAINT, condition=Condition.DAMAGED
    )

    resolved = resolution.resolve(rma, actor=staff_member())

    assert resolved.corrections == resolved.payments == resolved.fees == []
    assert resolved.replacement is None
    assert info(rma).status is RmaStatus.RESOLVED


def test_only_an_inspected_rma_can_be_resolved():
    rma = make_rma(delivered_order())
    with pytest.raises(ResolutionError):
        resolution.resolve(rma, actor=staff_member())
    assert info(rma).status is RmaStatus.AWAITING_REVIEW


def test_the_statement_shows_credits_pending_from_approved_rmas_until_the_kor_is_issued():
    from portal.core.money import gross_of, round_money
    from portal.payments.statement import statement_of

    delivered = delivered_order(("10.00", "5"), ("20.00", "3"))
    refund, repair = delivered.note_lines[0], delivered.note_lines[1]
    rma = make_rma(delivered, (0, "1", Resolution.REFUND), (1, "1", Resolution.REPAIR))
    company = db.session.get_one(Company, delivered.buyer.company_id)
    not_approved_yet = statement_of(company, today=local_today())
    assert not_approved_yet.pending_rma_credits == D("0.00")

    handling.approve(rma, actor=staff_member(), instructions="")
    expected = gross_of(round_money(refund.unit_price), refund.vat_percent)
    assert repair.unit_price > 0  # a repair moves no money: it is not counted
    assert statement_of(company, today=local_today()).pending_rma_credits == expected
