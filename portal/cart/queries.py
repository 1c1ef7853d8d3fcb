"""Cart reads: the cart and the saved list with the partner's prices, stock and totals."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import defer, joinedload

from portal.accounts.models import User
from portal.cart.models import Cart, CartLine, OrderList, OrderListLine
from portal.catalog.models import ContractPrice, Product
from portal.catalog.pricing import PriceBook, PriceQuote, PriceSource, resolve_price
from portal.catalog.queries import Thumbnail, Viewer, first_photos
from portal.core.db import db, table_of
from portal.core.money import ZERO, net_line
from portal.core.scope import visible_to
from portal.documents.totals import Totals, totals_from_net
from portal.stock.models import StockLevel
from portal.stock.queries import NO_STOCK, StockInfo

MAX_ID = 2**63 - 1
"""Larger ids in a URL or a form cannot exist (and SQLite cannot even compare them)."""


@dataclass
class CartItem:
    line: CartLine
    product: Product
    quote: PriceQuote
    stock: StockInfo
    photo: Thumbnail | None

    @property
    def net(self) -> Decimal:
        return net_line(self.quote.unit_net, self.line.quantity)

    @property
    def shortage(self) -> Decimal:
        """How much of the line stock cannot cover now: a backorder if ordered."""
        return max(self.line.quantity - self.stock.available, Decimal(0))

    @property
    def can_decrease(self) -> bool:
        """One pack less still meets the minimum order (below it, "Remove" is the way)."""
        return self.line.quantity - self.product.pack_size >= self.product.min_order_quantity


@dataclass
class CartView:
    cart: Cart
    items: list[CartItem]
    saved: list[CartItem]
    totals: Totals

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def has_shortage(self) -> bool:
        return any(item.shortage > 0 for item in self.items)

    @property
    def content_key(self) -> str:
        """Ties a submission to this cart's contents and generation, not to the page render:
        two tabs showing the same cart give the same key, so they place one order."""
        lines = [(item.product.id, item.line.quantity) for item in self.items]
        return _content_key(self.cart.id, self.cart.generation, lines)


def _content_key(cart_id: int, generation: int, lines: Iterable[tuple[int, Decimal]]) -> str:
    parts = [str(cart_id), str(generation)]
    parts += [f"{product_id}:{quantity}" for product_id, quantity in lines]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# Statements every cart page and checkout runs are built once: building one costs about as
# much Python as running it.
_CART, _LINE = table_of(Cart), table_of(CartLine)  # columns: no ORM work needed
_CONTENT = (
    sa.select(_CART.c.generation, _LINE.c.product_id, _LINE.c.quantity)
    .outerjoin(_LINE, sa.and_(_LINE.c.cart_id == _CART.c.id, _LINE.c.saved.is_(False)))
    .where(_CART.c.id == sa.bindparam("cart"))
    .order_by(_LINE.c.added_at, _LINE.c.id)
)


@cache  # on first use: a loader option needs every model mapped
def _cart_with_lines(stock: bool) -> sa.Select[Any]:
    """The user's cart and its lines (none: one row with no line) in one query, each line
    with the company's contract price for it and, with `stock`, its stock in the warehouse:
    two queries fewer on every cart page and checkout (the company and the warehouse are
    parameters; a viewer without a company matches no contract price)."""
    contract, level = table_of(ContractPrice), table_of(StockLevel)
    query = (
        sa.select(Cart, CartLine, contract.c.price.label("contract_price"))
        .outerjoin(CartLine, CartLine.cart_id == Cart.id)
        .outerjoin(
            contract,
            sa.and_(
                contract.c.product_id == CartLine.product_id,
                contract.c.company_id == sa.bindparam("company"),
            ),
        )
        .where(Cart.user_id == sa.bindparam("user"))
        .options(
            joinedload(CartLine.product).options(
                defer(Product.description), joinedload(Product.vat_rate)
            )
        )
        .order_by(CartLine.added_at, CartLine.id)
    )
    if not stock:
        return query
    return query.add_columns(level.c.on_hand, level.c.reserved).outerjoin(
        level,
        sa.and_(
            level.c.product_id == CartLine.product_id,
            level.c.warehouse_id == sa.bindparam("warehouse"),
        ),
    )


def current_content_key(cart_id: int) -> str:
    """The cart's content key as the database has it now, from a few columns per line (no
    ORM objects, whose loaded values may be older than this transaction)."""
    rows = db.session.execute(_CONTENT, {"cart": cart_id}).all()
    generation = rows[0].generation if rows else 0
    lines = [(row.product_id, row.quantity) for row in rows if row.product_id is not None]
    return _content_key(cart_id, generation, lines)


def _items(
    viewer: Viewer,
    lines: list[CartLine],
    *,
    contracts: dict[int, Decimal],
    levels: dict[int, StockInfo],
    photos: bool = True,
) -> list[CartItem]:
    products = list({line.product_id: line.product for line in lines}.values())
    ids = [product.id for product in products]
    # Tier prices depend on the quantity: the cart line's quantity decides a product's quote;
    # a saved line of a product also in the cart is re-priced from the same tiers below.
    quantities = {line.product_id: line.quantity for line in lines if line.saved}
    quantities.update({line.product_id: line.quantity for line in lines if not line.saved})
    quotes = PriceBook(viewer.company).quotes(products, quantities, contracts=contracts)
    photos_by_product = first_photos(ids) if photos else {}
    return [
        CartItem(
            line,
            line.product,
            _quote_for(viewer, line, quotes[line.product_id], quantities[line.product_id]),
            levels.get(line.product_id, NO_STOCK),
            photos_by_product.get(line.product_id),
        )
        for line in lines
    ]


def _quote_for(viewer: Viewer, line: CartLine, quote: PriceQuote, quoted: Decimal) -> PriceQuote:
    if line.quantity == quoted or quote.source is PriceSource.CONTRACT:
        return quote
    unit, source = resolve_price(
        list_price=line.product.list_price,
        quantity=line.quantity,
        tiers=quote.tiers,
        default_discount=viewer.company.default_discount if viewer.company else ZERO,
    )
    return replace(quote, unit_net=unit, source=source)


def cart_view(user: User, viewer: Viewer, *, photos: bool = True, stock: bool = True) -> CartView:
    """The cart and the saved list, priced for the viewer, with stock and (`photos`) the
    first photo of each product. Placing an order reads stock under its lock instead
    (`stock=False`: every item then has NO_STOCK)."""
    from portal.cart.services import cart_of

    rows = db.session.execute(
        _cart_with_lines(stock),
        {
            "user": user.id,
            "company": viewer.company.id if viewer.company else None,
            "warehouse": viewer.warehouse_id,
        },
    ).all()
    cart = rows[0][0] if rows else cart_of(user)  # no row: the user's first cart
    lines = [row[1] for row in rows if row[1] is not None]
    contracts = {
        row[1].product_id: row.contract_price for row in rows if row.contract_price is not None
    }
    levels = {
        row[1].product_id: StockInfo(row.on_hand, row.reserved, row[1].product.min_stock)
        for row in rows
        if stock and row[1] is not None and row.on_hand is not None
    }
    # Saved items are not part of the order, but their current price and stock are shown too.
    items = _items(viewer, lines, contracts=contracts, levels=levels, photos=photos)
    in_cart = [item for item in items if not item.line.saved]
    saved = [item for item in items if item.line.saved]
    totals = totals_from_net((item.net, item.quote.vat_percent) for item in in_cart)
    return CartView(cart=cart, items=in_cart, saved=saved, totals=totals)


def cart_count(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CartLine)
            .join(Cart, Cart.id == CartLine.cart_id)
            .where(Cart.user_id == user.id, CartLine.saved.is_(False))
        )
        or 0
    )


def cart_line_for(user: User, line_id: int) -> CartLine:
    """A line of the user's own cart, or 404 (an expired or foreign line id)."""
    _check_id(line_id)
    return db.one_or_404(
        sa.select(CartLine)
        .join(Cart, Cart.id == CartLine.cart_id)
        .where(CartLine.id == line_id, Cart.user_id == user.id)
        .options(joinedload(CartLine.product).joinedload(Product.vat_rate))
    )


def order_lists_of(user: User) -> list[tuple[OrderList, int]]:
    rows = db.session.execute(
        sa.select(OrderList, sa.func.count(OrderListLine.id))
        .outerjoin(OrderListLine, OrderListLine.order_list_id == OrderList.id)
        .where(visible_to(user, OrderList))
        .group_by(OrderList.id)
        .order_by(OrderList.name)
    )
    return [(order_list, count) for order_list, count in rows]


def order_list_for(user: User, list_id: int) -> OrderList:
    _check_id(list_id)
    return db.one_or_404(
        sa.select(OrderList).where(OrderList.id == list_id, visible_to(user, OrderList))
    )


def order_list_lines(order_list: OrderList) -> list[OrderListLine]:
    return list(
        db.session.scalars(
            sa.select(OrderListLine)
            .where(OrderListLine.order_list_id == order_list.id)
            .options(joinedload(OrderListLine.product).joinedload(Product.vat_rate))
            .order_by(OrderListLine.position, OrderListLine.id)
        )
    )


def order_list_line_for(user: User, line_id: int, *, list_id: int | None = None) -> OrderListLine:
    """A line of a list the user sees (and of that list, when the URL names it), or 404."""
    _check_id(line_id)
    query = (
        sa.select(OrderListLine)
        .join(OrderList, OrderList.id == OrderListLine.order_list_id)
        .where(OrderListLine.id == line_id, visible_to(user, OrderList))
        .options(joinedload(OrderListLine.product).joinedload(Product.vat_rate))
    )
    if list_id is not None:
        query = query.where(OrderListLine.order_list_id == list_id)
    return db.one_or_404(query)


def product_to_add(product_id: int) -> Product:
    """The product a form names, sold or not (the cart says why not); unknown ids are 404."""
    _check_id(product_id)
    return db.one_or_404(
        sa.select(Product).where(Product.id == product_id).options(joinedload(Product.vat_rate))
    )


def _check_id(value: int) -> None:
    if not 0 < value <= MAX_ID:
        abort(404)
