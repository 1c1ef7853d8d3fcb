"""Quantity rules: positive, whole for pieces, at least the minimum, in whole packs."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from portal.catalog.models import Product
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.templating import unit

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
            _("%(unit)s are sold whole: enter a whole number.", unit=unit(product.unit))
        )
    return requested


def normalise_quantity(product: Product, requested: Decimal | None) -> Adjusted:
    """The quantity to put in the cart, rounded up to the pack rules with a note, or refused."""
    return _round_up(product, check_number(product, requested))


def normalise_addition(product: Product, current: Decimal, requested: Decimal | None) -> Adjusted:
    """How much to add to a line that already holds `current`: the new total keeps the pack
    and minimum rules, and the note speaks of the amount added, as the person typed it."""
    added = check_number(product, requested)
    total = _round_up(product, current + added, already=current)
    return Adjusted(total.quantity - current, total.note)


def merged_quantity(product: Product, first: Decimal, second: Decimal) -> Decimal:
    """Two lines of one product become one (save for later, move back): still in packs."""
    return _round_up(product, first + second).quantity


def _round_up(product: Product, quantity: Decimal, already: Decimal = Decimal(0)) -> Adjusted:
    if quantity > MAX_QUANTITY:  # a total can pass the limit although each part was fine
        raise InvalidQuantity(_("That is more than we can take in one order line."))
    notes = []
    if quantity < product.min_order_quantity:
        quantity = product.min_order_quantity
        notes.append(
            _("The minimum order is %(n)s %(unit)s.", n=_plain(quantity), unit=unit(product.unit))
        )
    packs = (quantity / product.pack_size).to_integral_value(rounding=ROUND_CEILING)
    packed = (packs * product.pack_size).quantize(Decimal("0.001"))
    if packed != quantity:
        quantity = packed
        notes.append(
            _(
                "Sold in packs of %(pack)s: rounded up to %(n)s.",
                pack=_plain(product.pack_size),
                n=_plain(quantity - already),
            )
        )
    return Adjusted(quantity, " ".join(notes) or None)


class Change(enum.StrEnum):
    """What a cart line's quantity form asks: the typed number, or one step (pack) either way."""

    SET = "set"
    UP = "up"
    DOWN = "down"


def stepped(
    product: Product, current: Decimal, typed: Decimal | None, change: str | None
) -> Decimal | None:
    """The quantity a stepper tap means: one pack more or less than the number shown (what
    was typed, when it is a number, else the line's quantity); `set` keeps what was typed."""
    if change not in (Change.UP, Change.DOWN):
        return typed
    base = typed if typed is not None and typed.is_finite() else current
    step = product.pack_size if change == Change.UP else -product.pack_size
    return base + step


def plain(value: Decimal) -> str:
    """A quantity as an <input> wants it: '20', '1.5', never '20.000' or '1,5'."""
    return _plain(value)


def _plain(value: Decimal) -> str:
    if value == value.to_integral_value():
        return format(value.quantize(Decimal(1)), "f")
    return format(value.normalize(), "f")
