"""Delivery methods and their cost (net, VAT 23 %)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.core.i18n import lazy_gettext as _l
from portal.orders.models import DeliveryMethod

DELIVERY_VAT = Decimal("23.00")
COURIER_NET = Decimal("25.00")
FREE_COURIER_FROM_NET = Decimal("2000.00")


@dataclass(frozen=True)
class DeliveryOption:
    method: DeliveryMethod
    label: str
    cost_net: Decimal


def delivery_options(goods_net: Decimal) -> list[DeliveryOption]:
    courier = Decimal("0.00") if goods_net >= FREE_COURIER_FROM_NET else COURIER_NET
    return [
        DeliveryOption(DeliveryMethod.COURIER, str(_l("Courier")), courier),
        DeliveryOption(DeliveryMethod.PICKUP, str(_l("Pickup at our warehouse")), Decimal("0.00")),
    ]


def delivery_cost(method: DeliveryMethod, goods_net: Decimal) -> Decimal:
    return next(o.cost_net for o in delivery_options(goods_net) if o.method is method)
