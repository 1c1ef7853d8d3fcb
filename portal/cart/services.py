"""Cart commands: add, change, remove, save for later, and fill from lists and past orders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import User
from portal.cart.models import Cart, CartLine, OrderList, OrderListLine
from portal.cart.quantities import (
    Adjusted,
    merged_quantity,
    normalise_addition,
    normalise_quantity,
)
from portal.cart.quickorder import LineReport, Parsed
from portal.catalog.models import Product
from portal.catalog.queries import products_by_codes
from portal.core.db import atomic, db, is_sqlite, table_of, utcnow
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _


class ProductNotSold(DomainError):
    pass


class UnknownCode(DomainError):
    pass


# Built once: every page reads the cart, every order empties it (building a statement costs
# about as much Python as running it).
_CART_OF = sa.select(Cart).where(Cart.user_id == sa.bindparam("user"))


def cart_of(user: User) -> Cart:
    """The user's one cart, made on first use."""
    found = db.session.scalar(_CART_OF, {"user": user.id})
    if found is not None:
        return found
    with atomic():
        try:
            # Two first requests of one user (two tabs) may race to make the cart: the
            # unique user_id lets one win, and the other reads the winner's cart.
            with db.session.begin_nested():
                cart = Cart(user_id=user.id)
                db.session.add(cart)
        except sa.exc.IntegrityError:
            cart = db.session.scalars(sa.select(Cart).where(Cart.user_id == user.id)).one()
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
    with atomic():
        cart = cart_of(user)
        adjusted = _add(cart, _line(cart, product.id, saved=False), product, requested)[1]
        _touch(cart)
    return adjusted


def _add(
    cart: Cart, line: CartLine | None, product: Product, requested: Decimal | None
) -> tuple[CartLine, Adjusted]:
    """Every rule is checked before anything changes, so a refusal leaves the cart as it was."""
    if not product.active:
        raise ProductNotSold(_("%(name)s is no longer sold.", name=product.name))
    if line is None:
        adjusted = normalise_quantity(product, requested)
        line = CartLine(cart_id=cart.id, product_id=product.id, quantity=adjusted.quantity)
        db.session.add(line)
    else:
        adjusted = normalise_addition(product, line.quantity, requested)
        line.quantity += adjusted.quantity
    return line, adjusted


def set_quantity(line: CartLine, product: Product, requested: Decimal | None) -> Adjusted:
    adjusted = normalise_quantity(product, requested)
    with atomic():
        line.quantity = adjusted.quantity
        _touch(db.session.get_one(Cart, line.cart_id))
    return adjusted


def remove_line(line: CartLine) -> None:
    with atomic():
        db.session.delete(line)
        _touch(db.session.get_one(Cart, line.cart_id))


def save_for_later(line: CartLine) -> None:
    """Moves a cart line to the saved list (merging with a saved line of the same product)."""
    _move(line, saved=True)


def move_to_cart(line: CartLine) -> None:
    _move(line, saved=False)


def _move(line: CartLine, *, saved: bool) -> None:
    if line.saved is saved:
        return  # a repeated tap (double submit, second tab): already where it was sent
    with atomic():
        cart = db.session.get_one(Cart, line.cart_id)
        other = _line(cart, line.product_id, saved=saved)
        if other is not None:
            product = db.session.get_one(Product, line.product_id)
            other.quantity = merged_quantity(product, other.quantity, line.quantity)
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
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(label, rounding note) for lines that went in changed"""


def add_many(user: User, items: Iterable[tuple[Product, Decimal | None, str]]) -> AddResult:
    """Adds several products at once (quick order, order lists, reorder): valid lines go in,
    each refused line says why. items: (product, quantity, label for messages)."""
    result = AddResult([], [])
    with atomic():
        cart = cart_of(user)
        # One read of the cart's lines, however many items: a 500-line quick order stays quick.
        lines = {
            line.product_id: line
            for line in db.session.scalars(
                sa.select(CartLine).where(CartLine.cart_id == cart.id, CartLine.saved.is_(False))
            )
        }
        for product, quantity, label in items:
            try:
                lines[product.id], adjusted = _add(cart, lines.get(product.id), product, quantity)
            except DomainError as error:
                result.refused.append((label, error.message))
            else:
                result.added.append((product, adjusted))
                if adjusted.note:
                    result.notes.append((label, adjusted.note))
        _touch(cart)
    return result


_lines, _carts = table_of(CartLine), table_of(Cart)
_DELETE_ORDERED = sa.delete(_lines).where(
    _lines.c.cart_id == sa.bindparam("cart"), _lines.c.saved.is_(False)
)
_NEXT_GENERATION = (
    sa.update(_carts)
    .where(_carts.c.id == sa.bindparam("cart"))
    .values(generation=_carts.c.generation + 1, updated_at=sa.bindparam("now"))
)
# PostgreSQL runs both as one statement (a DELETE in a WITH runs whether or not it is read).
_EMPTY_ORDERED = _NEXT_GENERATION.add_cte(_DELETE_ORDERED.cte("ordered"))


def empty_cart_after_order(cart: Cart) -> None:
    """Joins the placing transaction: the ordered lines go, saved items stay. The generation
    is counted up in SQL (the loaded value may be older) and read again when next used."""
    values = {"cart": cart.id, "now": utcnow()}
    if is_sqlite():
        db.session.execute(_DELETE_ORDERED, values)
        db.session.execute(_NEXT_GENERATION, values)
    else:
        db.session.execute(_EMPTY_ORDERED, values)
    db.session.expire(cart, ["generation", "updated_at"])


# --- order lists -------------------------------------------------------------------------


def create_list(
    user: User,
    name: str,
    lines: Iterable[tuple[int, Decimal]],
    *,
    allow_empty: bool = False,
) -> OrderList:
    """A named list of the user's company from (product id, quantity) pairs: the cart's lines,
    a past order's lines, or none at all when the person starts one by name."""
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
        if not merged and not allow_empty:
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


def save_cart_as_list(user: User, name: str) -> OrderList:
    """A new order list holding what is in the cart now (saved items stay out)."""
    lines = db.session.execute(
        sa.select(CartLine.product_id, CartLine.quantity)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(Cart.user_id == user.id, CartLine.saved.is_(False))
        .order_by(CartLine.added_at, CartLine.id)
    )
    return create_list(user, name, [(row.product_id, row.quantity) for row in lines])


def add_to_list(order_list: OrderList, product: Product, requested: Decimal | None) -> Adjusted:
    """Puts a product on a list, or more of it on its line, with the cart's quantity rules."""
    if not product.active:
        raise ProductNotSold(_("%(name)s is no longer sold.", name=product.name))
    with atomic():
        line = db.session.scalar(
            sa.select(OrderListLine).where(
                OrderListLine.order_list_id == order_list.id,
                OrderListLine.product_id == product.id,
            )
        )
        if line is None:
            adjusted = normalise_quantity(product, requested)
            last = db.session.scalar(
                sa.select(sa.func.max(OrderListLine.position)).where(
                    OrderListLine.order_list_id == order_list.id
                )
            )
            db.session.add(
                OrderListLine(
                    order_list_id=order_list.id,
                    product_id=product.id,
                    quantity=adjusted.quantity,
                    position=(last or 0) + 1,
                )
            )
        else:
            adjusted = normalise_addition(product, line.quantity, requested)
            line.quantity += adjusted.quantity
    return adjusted


def add_code_to_list(
    order_list: OrderList, code: str, requested: Decimal | None
) -> tuple[Product, Adjusted]:
    """The list page's "Add a product": the product is named by its SKU or EAN."""
    code = code.strip()
    if not code:
        raise UnknownCode(_("Enter a SKU or EAN."))
    product = products_by_codes([code]).get(code.upper())
    if product is None:
        raise UnknownCode(_("Unknown SKU or EAN “%(code)s”.", code=code))
    return product, add_to_list(order_list, product, requested)


def add_to_new_list(
    user: User, name: str, product: Product, requested: Decimal | None
) -> OrderList:
    """A new list with its first product ("Add to list" naming a new list): both, or neither."""
    with atomic():
        order_list = create_list(user, name, [], allow_empty=True)
        add_to_list(order_list, product, requested)
    return order_list


def add_list_to_cart(user: User, order_list: OrderList) -> AddResult:
    """Every line of the list into the cart in one go; lines no longer sold are reported."""
    from portal.cart.queries import order_list_lines

    return add_many(
        user,
        (
            (line.product, line.quantity, f"{line.product.sku} {line.product.name}")
            for line in order_list_lines(order_list)
        ),
    )


# --- quick order -------------------------------------------------------------------------


@dataclass
class QuickOrderResult:
    added: int
    notes: list[LineReport]
    """Lines that went in rounded up (pack size, minimum order)."""
    refused: list[LineReport]


def add_quick_order(user: User, parsed: Parsed) -> QuickOrderResult:
    """The parsed lines whose code is known go into the cart; every other line says why not."""
    products = products_by_codes([line.code for line in parsed.lines])
    by_label = {str(line.number): line for line in parsed.lines}
    refused = list(parsed.problems)
    items = []
    for line in parsed.lines:
        product = products.get(line.code.upper())
        if product is None:
            message = _("Unknown SKU or EAN “%(code)s”.", code=line.code)
            refused.append(LineReport(line.number, line.text, message))
        else:
            items.append((product, line.quantity, str(line.number)))
    result = add_many(user, items)
    for label, message in result.refused:
        refused.append(LineReport(int(label), by_label[label].text, message))
    notes = [
        LineReport(int(label), by_label[label].text, message) for label, message in result.notes
    ]
    return QuickOrderResult(
        added=len(result.added),
        notes=sorted(notes, key=lambda report: report.number),
        refused=sorted(refused, key=lambda report: report.number),
    )
