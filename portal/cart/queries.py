"""Cart reads: the cart and the saved list with the partner's prices, stock and totals."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.cart.models import Cart, CartLine, OrderList, OrderListLine
from portal.catalog.models import Product, ProductPhoto
from portal.catalog.pricing import PriceBook, PriceQuote
from portal.catalog.queries import Viewer
from portal.core.db import db
from portal.core.money import net_line
from portal.core.scope import visible_to
from portal.documents.totals import Totals, totals_from_net
from portal.stock.queries import StockInfo, stock_in


@dataclass
class CartItem:
    line: CartLine
    product: Product
    quote: PriceQuote
    stock: StockInfo
    photo: ProductPhoto | None

    @property
    def net(self) -> Decimal:
        return net_line(self.quote.unit_net, self.line.quantity)

    @property
    def shortage(self) -> Decimal:
        """How much of the line stock cannot cover now: a backorder if ordered."""
        return max(self.line.quantity - self.stock.available, Decimal(0))


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
        parts = [str(self.cart.id), str(self.cart.generation)]
        parts += [f"{item.product.id}:{item.line.quantity}" for item in self.items]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _items(viewer: Viewer, lines: list[CartLine]) -> list[CartItem]:
    products = [line.product for line in lines]
    ids = [product.id for product in products]
    quotes = PriceBook(viewer.company).quotes(
        products, {line.product_id: line.quantity for line in lines}
    )
    stock = stock_in(viewer.warehouse_id, ids, {p.id: p.min_stock for p in products})
    photos: dict[int, ProductPhoto] = {}
    if ids:
        for photo in db.session.scalars(
            sa.select(ProductPhoto)
            .where(ProductPhoto.product_id.in_(ids))
            .order_by(ProductPhoto.product_id, ProductPhoto.position)
        ):
            photos.setdefault(photo.product_id, photo)
    return [
        CartItem(
            line,
            line.product,
            quotes[line.product_id],
            stock[line.product_id],
            photos.get(line.product_id),
        )
        for line in lines
    ]


def cart_view(user: User, viewer: Viewer) -> CartView:
    from portal.cart.services import cart_of

    cart = cart_of(user)
    lines = list(
        db.session.scalars(
            sa.select(CartLine)
            .where(CartLine.cart_id == cart.id)
            .options(joinedload(CartLine.product).joinedload(Product.vat_rate))
            .order_by(CartLine.added_at, CartLine.id)
        )
    )
    # Saved items are not part of the order, but their current price and stock are shown too.
    items = _items(viewer, lines)
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


def order_list_line_for(user: User, line_id: int) -> OrderListLine:
    return db.one_or_404(
        sa.select(OrderListLine)
        .join(OrderList, OrderList.id == OrderListLine.order_list_id)
        .where(OrderListLine.id == line_id, visible_to(user, OrderList))
        .options(joinedload(OrderListLine.product).joinedload(Product.vat_rate))
    )
