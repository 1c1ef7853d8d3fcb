"""Categories, products, photos, VAT rates and the partner price structures."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Base, Timestamped
from portal.core.money import Money, Percent, Quantity
from portal.core.types import enum_column

if TYPE_CHECKING:
    from portal.accounts.models import Company


class Unit(enum.StrEnum):
    PIECE = "pcs"
    SET = "set"
    PACK = "pack"
    KILOGRAM = "kg"
    METRE = "m"
    LITRE = "l"

    @property
    def allows_fraction(self) -> bool:
        """Pieces are whole; kg, m and l take up to 3 decimals."""
        return self in (Unit.KILOGRAM, Unit.METRE, Unit.LITRE)


class VatRate(Base):
    __tablename__ = "vat_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(10), unique=True)
    percent: Mapped[Percent] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(60))


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(sa.String(500), index=True)
    """Materialised path of ids, '/1/7/', so a subtree is one indexed prefix match."""


class Product(Timestamped, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(sa.String(64), unique=True)
    ean: Mapped[str | None] = mapped_column(sa.String(14))
    """A barcode names one product: scanning and quick order look products up by it."""
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, 8), default=Unit.PIECE)
    pack_size: Mapped[Quantity] = mapped_column(default=Decimal("1"))
    min_order_quantity: Mapped[Quantity] = mapped_column(default=Decimal("1"))
    vat_rate_id: Mapped[int] = mapped_column(sa.ForeignKey("vat_rates.id"))
    list_price: Mapped[Money] = mapped_column()
    """Net, per unit."""
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    min_stock: Mapped[Quantity] = mapped_column(default=Decimal("0"))
    active: Mapped[bool] = mapped_column(default=True)
    returnable: Mapped[bool] = mapped_column(default=True)
    """False: the product cannot be returned as unwanted (complaints stay possible)."""

    vat_rate: Mapped[VatRate] = relationship(lazy="raise_on_sql")
    category: Mapped[Category | None] = relationship(lazy="raise_on_sql")
    photos: Mapped[list[ProductPhoto]] = relationship(
        lazy="raise_on_sql", order_by="ProductPhoto.position", back_populates="product"
    )

    __table_args__ = (
        sa.CheckConstraint("pack_size > 0", name="pack_size_positive"),
        sa.CheckConstraint("min_order_quantity > 0", name="min_order_quantity_positive"),
        sa.CheckConstraint("list_price >= 0", name="list_price_not_negative"),
        # Listing pages filter on active and sort by these, id last as the tie-break: each
        # index serves one sort, and a deep page is an index-only scan (PostgreSQL's indexes,
        # unlike SQLite's, do not end with the row id by themselves).
        sa.Index("ix_products_active_category_name", "active", "category_id", "name", "id"),
        sa.Index("ix_products_active_name", "active", "name", "id"),
        sa.Index("ix_products_active_list_price", "active", "list_price", "id"),
        sa.Index("ix_products_active_created_at", "active", "created_at", "id"),
        # An index, not a table constraint: on SQLite adding a constraint rebuilds the
        # table and would drop the search triggers on it.
        sa.Index("ix_products_ean_unique", "ean", unique=True),
    )


class ProductPhoto(Base):
    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    image_key: Mapped[str] = mapped_column(sa.String(80))
    """Content hash: the file is media/photos/<key>.jpg, its thumbnail <key>-thumb.jpg."""
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    alt: Mapped[str] = mapped_column(sa.String(200), default="")

    product: Mapped[Product] = relationship(lazy="raise_on_sql", back_populates="photos")


class ProductAssociation(Base):
    """'Customers also take': shown on the product page and while ordering."""

    __tablename__ = "product_associations"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), primary_key=True)
    associated_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint("product_id <> associated_id", name="not_associated_to_itself"),
    )


class PriceList(Base):
    __tablename__ = "price_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)


class PriceListTier(Base):
    """A price-list price from a minimum quantity on; the highest tier reached applies."""

    __tablename__ = "price_list_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(sa.ForeignKey("price_lists.id"))
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id"), index=True)
    min_quantity: Mapped[Quantity] = mapped_column(default=Decimal("1"))
    price: Mapped[Money] = mapped_column()

    __table_args__ = (
        sa.UniqueConstraint("price_list_id", "product_id", "min_quantity"),
        sa.CheckConstraint("price >= 0", name="price_not_negative"),
        sa.CheckConstraint("min_quantity > 0", name="min_quantity_positive"),
    )


class ContractPrice(Base):
    """A partner's own negotiated net price for one product; beats every other rule."""

    __tablename__ = "contract_prices"

    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        sa.ForeignKey("products.id"), primary_key=True, index=True
    )
    price: Mapped[Money] = mapped_column()

    company: Mapped[Company] = relationship(lazy="raise_on_sql")

    __table_args__ = (sa.CheckConstraint("price >= 0", name="price_not_negative"),)
