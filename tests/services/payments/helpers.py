"""Card orders for payment tests, placed through the real checkout service."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Company, Role, User
from portal.core.db import db
from portal.documents.models import Document, DocumentEvent, EventKind
from portal.notifications.models import OutboxMessage
from portal.orders.models import OrderInfo, PaymentMethod
from tests.builders import make_company, make_product, make_user
from tests.services.orders.helpers import fill_cart, place

# 3 x 12.34 net = 37.02; VAT 23 % = 8.51 (8.5146 rounded once); gross 45.53 PLN.
GROSS_GROSZE = 4553


def card_order(
    company: Company | None = None, *, order_limit: Decimal | None = None, **checkout: object
) -> tuple[User, Document]:
    """A buyer and the order they placed, paying by card (Stripe must be configured)."""
    buyer = make_user(role=Role.BUYER, company=company or make_company(), order_limit=order_limit)
    product = make_product(name="Hinge", list_price=Decimal("12.34"), stock=100)
    fill_cart(buyer, (product, "3"))
    order = place(buyer, **{"payment_method": PaymentMethod.CARD, **checkout})
    return buyer, order


def info_of(order: Document) -> OrderInfo:
    db.session.expire_all()
    return db.session.get_one(OrderInfo, order.id)


def payment_rows(order: Document) -> list[DocumentEvent]:
    return list(
        db.session.scalars(
            sa.select(DocumentEvent).where(
                DocumentEvent.document_id == order.id, DocumentEvent.kind == EventKind.PAYMENT
            )
        )
    )


def mails(template: str = "payments/received") -> list[OutboxMessage]:
    return list(
        db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template))
    )
