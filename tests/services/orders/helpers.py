"""Placing orders in service tests: a buyer, a cart and the checkout the buyer saw."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from portal.accounts.models import User
from portal.cart.queries import cart_view
from portal.cart.services import add_to_cart
from portal.catalog.models import Product
from portal.catalog.queries import Viewer
from portal.documents.models import Document
from portal.orders.models import DeliveryMethod, PaymentMethod
from portal.orders.services import Checkout, ShipTo, place_order, seen_lines
from tests.builders import main_warehouse

SHIP_TO = ShipTo("HQ", "Acme", "ul. Prosta 1", "00-001", "Warszawa", "PL")


def viewer_for(buyer: User) -> Viewer:
    return Viewer(company=buyer.company, warehouse_id=main_warehouse().id)


def checkout(**overrides: Any) -> Checkout:
    values: dict[str, Any] = {
        "ship_to": SHIP_TO,
        "delivery_method": DeliveryMethod.PICKUP,
        "payment_method": PaymentMethod.BANK_TRANSFER,
    }
    values.update(overrides)
    return Checkout(**values)


def fill_cart(buyer: User, *items: tuple[Product, str]) -> None:
    for product, quantity in items:
        add_to_cart(buyer, product, Decimal(quantity))


def place(buyer: User, *, actor: User | None = None, **overrides: Any) -> Document:
    """Places the buyer's cart exactly as the buyer saw it."""
    viewer = viewer_for(buyer)
    view = cart_view(buyer, viewer)
    return place_order(
        buyer,
        actor=actor or buyer,
        viewer=viewer,
        checkout=checkout(**overrides),
        seen_key=view.content_key,
        seen=seen_lines(view),
    )
