"""Cart commands: add, change, remove, save for later, and fill from lists and past orders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from portal.accounts.models import User
from portal.cart.models import Cart, CartLine, OrderList, OrderListLine
from portal.cart.quantities import Adjusted, check_number, normalise_quantity
from portal.catalog.models import Product
from portal.core.db import atomic, db, utcnow
from portal.core.errors import DomainError


class ProductNotSold(DomainError):
    pass


def cart_of(user: User) -> Cart:
    """The user's one cart, made on first use."""
    cart = db.session.scalar(sa.select(Cart).where(Cart.user_id == user.id))
    if cart is None:
        with atomic():
            cart = Cart(user_id=user.id)
            db.session.add(cart)
            db.session.flush()
    return cart


def _line(cart: Cart, product_id: int, *, saved: bool) -> CartLine | None:
    return db.session.scalar(
        sa.select(CartLine).where(
            CartLine.cart_id == cart.id,
            CartLine.product_id == product_id,
            CartLine.saved.is_(saved),
        )
    )


def _touch(cart: Cart) -> None:
    cart.updated_at = utcnow()


def add_to_cart(user: User, product: Product, requested: Decimal | None) -> Adjusted:
    """Adds to the line of that product (or starts one); returns the quantity added and a note."""
    if not product.active:
        raise ProductNotSold(_("%(name)s is no longer sold.", name=product.name))
    with atomic():
        cart = cart_of(user)
        line = _line(cart, product.id, saved=False)
        if line is None:
            adjusted = normalise_quantity(product, requested)
            db.session.add(
                CartLine(cart_id=cart.id, product_id=product.id, quantity=adjusted.quantity)
            )
        else:
            total = normalise_quantity(product, line.quantity + check_number(product, requested))
            adjusted = Adjusted(total.quantity - line.quantity, total.note)
            line.quantity = total.quantity
        _touch(cart)
    return adjusted


def set_quantity(line: CartLine, product: Product, requested: Decimal | None) -> Adjusted:
    adjusted = normalise_quantity(product, requested)
    with atomic():
        line.quantity = adjusted.quantity
        _touch(db.session.get_one(Cart, line.cart_id))
    return adjusted


def remove_line(line: CartLine) -> None:
    with atomic():
        db.session.delete(line)


def save_for_later(line: CartLine) -> None:
    """Moves a cart line to the saved list (merging with a saved line of the same product)."""
    _move(line, saved=True)


def move_to_cart(line: CartLine) -> None:
    _move(line, saved=False)


def _move(line: CartLine, *, saved: bool) -> None:
    with atomic():
        cart = db.session.get_one(Cart, line.cart_id)
        other = _line(cart, line.product_id, saved=saved)
        if other is not None:
            other.quantity += line.quantity
            db.session.delete(line)
        else:
            line.saved = saved
            line.added_at = utcnow()
        _touch(cart)


@dataclass
class AddResult:
    added: list[tuple[Product, Adjusted]]
    refused: list[tuple[str, str]]
    """(what the user named, why it was refused)"""


def add_many(user: User, items: Iterable[tuple[Product, Decimal | None, str]]) -> AddResult:
    """Adds several products at once (quick order, order lists, reorder): valid lines go in,
    each refused line says why. items: (product, quantity, label for messages)."""
    result = AddResult([], [])
    with atomic():
        for product, quantity, label in items:
            try:
                with db.session.begin_nested():
                    result.added.append((product, add_to_cart(user, product, quantity)))
            except DomainError as error:
                result.refused.append((label, error.message))
    return result


def empty_cart_after_order(cart: Cart) -> None:
    """Joins the placing transaction: the ordered lines go, saved items stay."""
    db.session.execute(
        sa.delete(CartLine).where(CartLine.cart_id == cart.id, CartLine.saved.is_(False))
    )
    cart.generation += 1
    _touch(cart)


# --- order lists -------------------------------------------------------------------------


def create_list(user: User, name: str, lines: Iterable[tuple[int, Decimal]]) -> OrderList:
    assert user.company_id is not None
    name = name.strip()
    if not name:
        raise DomainError(_("Give the list a name."))
    with atomic():
        order_list = OrderList(company_id=user.company_id, name=name[:100], created_by_id=user.id)
        db.session.add(order_list)
        db.session.flush()
        merged: dict[int, Decimal] = {}
        for product_id, quantity in lines:
            merged[product_id] = merged.get(product_id, Decimal(0)) + quantity
        for position, (product_id, quantity) in enumerate(merged.items()):
            db.session.add(
                OrderListLine(
                    order_list_id=order_list.id,
                    product_id=product_id,
                    quantity=quantity,
                    position=position,
                )
            )
        if not merged:
            raise DomainError(_("There is nothing to put on the list."))
    return order_list


def rename_list(order_list: OrderList, name: str) -> None:
    if not name.strip():
        raise DomainError(_("Give the list a name."))
    with atomic():
        order_list.name = name.strip()[:100]


def delete_list(order_list: OrderList) -> None:
    with atomic():
        db.session.execute(
            sa.delete(OrderListLine).where(OrderListLine.order_list_id == order_list.id)
        )
        db.session.delete(order_list)


def remove_list_line(line: OrderListLine) -> None:
    with atomic():
        db.session.delete(line)


def set_list_quantity(line: OrderListLine, product: Product, requested: Decimal | None) -> Adjusted:
    adjusted = normalise_quantity(product, requested)
    with atomic():
        line.quantity = adjusted.quantity
    return adjusted
