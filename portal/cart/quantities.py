"""Quantity rules: positive, whole for pieces, at least the minimum, in whole packs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from flask_babel import gettext as _

from portal.catalog.models import Product
from portal.core.errors import DomainError

MAX_QUANTITY = Decimal("100000")


class InvalidQuantity(DomainError):
    pass


@dataclass(frozen=True)
class Adjusted:
    quantity: Decimal
    note: str | None = None


def check_number(product: Product, requested: Decimal | None) -> Decimal:
    """A quantity a person may ask for: positive, not absurd, whole for pieces."""
    if requested is None or not requested.is_finite():
        raise InvalidQuantity(_("Enter a number."))
    if requested <= 0:
        raise InvalidQuantity(_("Enter a quantity above zero."))
    if requested > MAX_QUANTITY:
        raise InvalidQuantity(_("That is more than we can take in one order line."))
    if requested != requested.quantize(Decimal("0.001")):
        raise InvalidQuantity(_("Use at most 3 decimal places."))
    if not product.unit.allows_fraction and requested != requested.to_integral_value():
        raise InvalidQuantity(
            _("%(unit)s are sold whole: enter a whole number.", unit=product.unit.value)
        )
    return requested


def normalise_quantity(product: Product, requested: Decimal | None) -> Adjusted:
    """The quantity to put in the cart, rounded up to the pack rules with a note, or refused."""
    quantity = check_number(product, requested)
    notes = []
    if quantity < product.min_order_quantity:
        quantity = product.min_order_quantity
        notes.append(
            _("The minimum order is %(n)s %(unit)s.", n=_plain(quantity), unit=product.unit.value)
        )
    packs = (quantity / product.pack_size).to_integral_value(rounding=ROUND_CEILING)
    packed = (packs * product.pack_size).quantize(Decimal("0.001"))
    if packed != quantity:
        quantity = packed
        notes.append(
            _(
                "Sold in packs of %(pack)s: rounded up to %(n)s.",
                pack=_plain(product.pack_size),
                n=_plain(quantity),
            )
        )
    return Adjusted(quantity, " ".join(notes) or None)


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
