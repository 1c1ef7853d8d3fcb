"""The cart (one per user, server-side), saved-for-later items and order lists."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Timestamped, utcnow
from portal.core.money import Quantity

if TYPE_CHECKING:
    from portal.catalog.models import Product


class Cart(Base):
    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    generation: Mapped[int] = mapped_column(default=1)
    """Bumped when an order is placed from the cart: part of the idempotency key."""
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CartLine(Base):
    """A line in the cart, or, with `saved`, an item parked for a later order."""

    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(sa.ForeignKey("carts.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[Quantity] = mapped_column()
    saved: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.UniqueConstraint("cart_id", "product_id", "saved"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_cart_lines_cart_saved_added", "cart_id", "saved", "added_at"),
    )


class OrderList(Timestamped, Base):
    """A named list a partner keeps ("weekly restock") and adds to the cart in one tap."""

    __tablename__ = "order_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class OrderListLine(Base):
    __tablename__ = "order_list_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_list_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lists.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"))
    quantity: Mapped[Quantity] = mapped_column(default=Decimal("1"))
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(lazy="raise_on_sql")

    __table_args__ = (
        sa.UniqueConstraint("order_list_id", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
