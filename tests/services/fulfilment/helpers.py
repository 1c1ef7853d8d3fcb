"""Fulfilment test data: stock that came in through the ledger (batches and moves, so a WZ
can take it out), and orders placed by a buyer with a Polish address."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from portal.accounts.models import Role, User
from portal.catalog.models import Product
from portal.core.db import db
from portal.documents.models import Document, DocumentKind
from portal.documents.services import LineDraft, issue
from portal.orders.services import ShipTo
from portal.seller.services import seller
from portal.stock import ledger
from portal.stock.models import Batch
from tests.builders import main_warehouse, make_company, make_user
from tests.services.orders.helpers import fill_cart, place

POLISH_SHIP_TO = ShipTo(
    "Magazyn", "Zakład Żółć Sp. z o.o.", "ul. Świętokrzyska 12", "90-001", "Łódź", "PL"
)


def receive(
    product: Product,
    quantity: str | int,
    *,
    lot: str = "L1",
    expires_on: date | None = None,
    received_on: date | None = None,
    unit_cost: str = "4.00",
) -> Batch:
    """A PW through the ledger: a document line, a batch, a move and both balances."""
    warehouse = main_warehouse()
    on = received_on or date.today() - timedelta(days=10)
    amount = Decimal(quantity)
    _document, rows = issue(
        DocumentKind.PW,
        on=on,
        actor=None,
        warehouse_id=warehouse.id,
        lines=[
            LineDraft(
                sku=product.sku,
                name=product.name,
                unit=product.unit.value,
                quantity=amount,
                product_id=product.id,
                unit_cost=Decimal(unit_cost),
            )
        ],
    )
    batch = ledger.batch_for(
        product.id, lot, expires_on=expires_on, received_on=on, unit_cost=Decimal(unit_cost)
    )
    ledger.receive(
        rows[0],
        warehouse_id=warehouse.id,
        batch=batch,
        quantity=amount,
        unit_cost=Decimal(unit_cost),
        on=on,
    )
    db.session.flush()
    return batch


def polish_seller() -> None:
    settings = seller()
    settings.name = "Hurtownia Łąkowa Sp. z o.o."
    settings.street = "ul. Źródlana 3"
    settings.postal_code = "60-101"
    settings.city = "Poznań"
    db.session.flush()


def buyer(**overrides: Any) -> User:
    return make_user(role=Role.BUYER, company=make_company(name="Żółć i Syn"), **overrides)


def placed_order(who: User, *items: tuple[Product, str], **overrides: Any) -> Document:
    fill_cart(who, *items)
    overrides.setdefault("ship_to", POLISH_SHIP_TO)
    return place(who, **overrides)


def staff() -> User:
    return make_user(role=Role.STAFF, name="Grażyna Magazynier")
