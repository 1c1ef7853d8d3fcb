"""Catalog reads: listing, search, autocomplete and the product page, a fixed number of
queries each whatever the catalog or page size."""

from __future__ import annotations

import enum
import math
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal.accounts.models import Company, User
from portal.catalog import search
from portal.catalog.models import Category, Product, ProductAssociation, ProductPhoto
from portal.catalog.pricing import PriceBook, PriceQuote
from portal.core.db import db
from portal.core.scope import visible_companies
from portal.stock.models import StockLevel
from portal.stock.queries import StockInfo, stock_in

MAX_PAGE = 10_000


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    NAME = "name"
    PRICE_ASC = "price"
    PRICE_DESC = "-price"
    NEWEST = "newest"


@dataclass(frozen=True)
class Viewer:
    """Whose prices and which warehouse's stock a page shows."""

    company: Company | None
    warehouse_id: int
    is_staff: bool = False


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    in_stock: bool = False
    sort: Sort = Sort.NAME
    page: int = 1
    per_page: int = 24


@dataclass(frozen=True)
class Thumbnail:
    """What a listing shows of a product's first photo: its stored file's key."""

    image_key: str


@dataclass
class ProductCard:
    product: Product
    quote: PriceQuote
    stock: StockInfo
    photo: Thumbnail | None


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode] = field(default_factory=list)


@dataclass
class CatalogPage:
    categories: list[Category]
    cards: list[ProductCard]
    total: int
    filters: Filters
    category: Category | None
    trail: list[Category]
    subcategories: list[Category]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.filters.per_page))

    @property
    def has_next(self) -> bool:
        return self.filters.page < self.pages


def all_categories() -> list[Category]:
    return list(db.session.scalars(sa.select(Category).order_by(Category.position, Category.name)))


def category_tree(categories: list[Category]) -> list[CategoryNode]:
    nodes = {category.id: CategoryNode(category) for category in categories}
    roots = []
    for category in categories:
        node = nodes[category.id]
        if category.parent_id in nodes:
            nodes[category.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots


def _trail(category: Category, by_id: dict[int, Category]) -> list[Category]:
    ids = [int(part) for part in category.path.strip("/").split("/") if part]
    return [by_id[i] for i in ids if i in by_id]


def first_photos(product_ids: list[int]) -> dict[int, Thumbnail]:
    """Each product's first photo, in one query of two columns (no ORM objects: a 50-line
    cart or a catalog page loaded every photo of every product as an entity)."""
    photos: dict[int, Thumbnail] = {}
    if product_ids:
        for product_id, image_key in db.session.execute(
            sa.select(ProductPhoto.product_id, ProductPhoto.image_key)
            .where(ProductPhoto.product_id.in_(product_ids))
            .order_by(ProductPhoto.product_id, ProductPhoto.position)
        ):
            if product_id not in photos:
                photos[product_id] = Thumbnail(image_key)
    return photos


def cards_for(viewer: Viewer, products: list[Product]) -> list[ProductCard]:
    """Prices, stock and a first photo for these products: three or four queries in all."""
    ids = [product.id for product in products]
    quotes = PriceBook(viewer.company).quotes(products)
    stock = stock_in(viewer.warehouse_id, ids, {p.id: p.min_stock for p in products})
    photos = first_photos(ids)
    return [
        ProductCard(product, quotes[product.id], stock[product.id], photos.get(product.id))
        for product in products
    ]


def catalog_page(viewer: Viewer, filters: Filters) -> CatalogPage:
    categories = all_categories()
    by_id = {category.id: category for category in categories}
    category = next((c for c in categories if c.slug == filters.category), None)

    conditions: list[sa.ColumnElement[bool]] = [Product.active == sa.true()]
    subtree: list[int] = []
    if category is not None:
        subtree = [c.id for c in categories if c.path.startswith(category.path)]
        conditions.append(Product.category_id.in_(subtree))
    if filters.in_stock:
        conditions.append(
            sa.exists().where(
                StockLevel.product_id == Product.id,
                StockLevel.warehouse_id == viewer.warehouse_id,
                StockLevel.on_hand > StockLevel.reserved,
            )
        )

    match = search.matching(filters.q) if filters.q else None
    ids_query = sa.select(Product.id).where(*conditions)
    count = sa.select(sa.func.count()).select_from(Product).where(*conditions)
    if filters.q and match is None:
        ids_query = ids_query.where(sa.false())
        count = count.where(sa.false())
    if match is not None:
        ids_query = ids_query.join(match.subquery, match.subquery.c.id == Product.id)
        count = count.join(match.for_count, match.for_count.c.id == Product.id)

    sort = filters.sort
    if sort is Sort.RELEVANCE and match is None:
        sort = Sort.NAME
    order: list[Any]
    if sort is Sort.RELEVANCE and match is not None:
        order = match.order_by()
    elif sort is Sort.PRICE_ASC:
        order = [Product.list_price, Product.id]
    elif sort is Sort.PRICE_DESC:
        order = [Product.list_price.desc(), Product.id.desc()]
    elif sort is Sort.NEWEST:
        order = [Product.created_at.desc(), Product.id.desc()]
    elif category is not None and len(subtree) > 1:
        # Grouped by subcategory, by name within it: the index (active, category_id, name)
        # serves this order directly, where a name order across the subtree needs a sort.
        order = [Product.category_id, Product.name, Product.id]
    else:
        order = [Product.name, Product.id]

    total = _cached_count(
        count, (filters.q, filters.category, filters.in_stock, viewer.warehouse_id)
    )
    offset = (filters.page - 1) * filters.per_page
    # Ids first, from the index alone, then the page's rows by id: a deep page then skips
    # index entries, not whole product rows.
    ids = list(
        db.session.scalars(ids_query.order_by(*order).limit(filters.per_page).offset(offset))
    )
    products = _products_in_order(ids)
    parent_id = category.id if category is not None else None
    subcategories = [c for c in categories if c.parent_id == parent_id]
    return CatalogPage(
        categories=categories,
        cards=cards_for(viewer, products),
        total=total,
        filters=filters,
        category=category,
        trail=_trail(category, by_id) if category is not None else [],
        subcategories=subcategories,
    )


_counts: dict[tuple[object, ...], tuple[float, int]] = {}


def _cached_count(count: Any, key: tuple[object, ...]) -> int:
    """Totals for the pager, kept for a short while per worker: counting 100,000 rows on
    every page view costs more than the rest of the query, and a total a minute old is fine."""
    ttl = current_app.config.get("CATALOG_COUNT_CACHE_SECONDS", 60)
    now = time.monotonic()
    cache_key = (current_app.config["SQLALCHEMY_DATABASE_URI"], *key)
    hit = _counts.get(cache_key)
    if ttl and hit and hit[0] > now:
        return hit[1]
    total = db.session.scalar(count) or 0
    if ttl:
        if len(_counts) > 5000:
            _counts.clear()
        _counts[cache_key] = (now + ttl, total)
    return total


def _products_in_order(ids: list[int]) -> list[Product]:
    if not ids:
        return []
    found = {
        product.id: product
        for product in db.session.scalars(
            sa.select(Product).where(Product.id.in_(ids)).options(joinedload(Product.vat_rate))
        )
    }
    return [found[product_id] for product_id in ids if product_id in found]


def autocomplete(viewer: Viewer, text: str, limit: int = 8) -> list[ProductCard]:
    match = search.matching(text)
    if match is None:
        return []
    ids = list(
        db.session.scalars(
            sa.select(Product.id)
            .join(match.subquery, match.subquery.c.id == Product.id)
            .where(Product.active == sa.true())
            .order_by(*match.order_by())
            .limit(limit)
        )
    )
    return cards_for(viewer, _products_in_order(ids))


@dataclass
class ProductDetail:
    card: ProductCard
    photos: list[ProductPhoto]
    trail: list[Category]
    associated: list[ProductCard]


def product_detail(viewer: Viewer, sku: str) -> ProductDetail | None:
    product = db.session.scalar(
        sa.select(Product)
        .where(Product.sku == sku, Product.active == sa.true())
        .options(joinedload(Product.vat_rate), joinedload(Product.category))
    )
    if product is None:
        return None
    photos = list(
        db.session.scalars(
            sa.select(ProductPhoto)
            .where(ProductPhoto.product_id == product.id)
            .order_by(ProductPhoto.position)
        )
    )
    associated = list(
        db.session.scalars(
            sa.select(Product)
            .join(ProductAssociation, ProductAssociation.associated_id == Product.id)
            .where(ProductAssociation.product_id == product.id, Product.active == sa.true())
            .options(joinedload(Product.vat_rate))
            .order_by(ProductAssociation.position)
            .limit(8)
        )
    )
    cards = cards_for(viewer, [product, *associated])
    trail: list[Category] = []
    if product.category is not None:
        ids = [int(part) for part in product.category.path.strip("/").split("/") if part]
        by_id = {
            c.id: c for c in db.session.scalars(sa.select(Category).where(Category.id.in_(ids)))
        }
        trail = [by_id[i] for i in ids if i in by_id]
    card = cards[0]
    card.photo = Thumbnail(photos[0].image_key) if photos else None
    return ProductDetail(card=card, photos=photos, trail=trail, associated=cards[1:])


def products_by_codes(codes: list[str]) -> dict[str, Product]:
    """Products by SKU or EAN (upper-cased keys), for quick order and imports."""
    wanted = [code.strip().upper() for code in codes if code.strip()]
    if not wanted:
        return {}
    found: dict[str, Product] = {}
    rows = db.session.scalars(
        sa.select(Product)
        .where(sa.or_(Product.sku.in_(wanted), Product.ean.in_(wanted)))
        .options(joinedload(Product.vat_rate))
    )
    for product in rows:
        found[product.sku.upper()] = product
        if product.ean:
            found[product.ean.upper()] = product
    return found


def company_for_prices(viewer: User, company_id: int) -> Company | None:
    """A partner whose prices staff or a rep may look at."""
    return db.session.scalar(
        sa.select(Company).where(Company.id == company_id, visible_companies(viewer))
    )


def companies_for_prices(viewer: User, text: str, limit: int = 50) -> list[Company]:
    query = sa.select(Company).where(visible_companies(viewer), Company.active.is_(True))
    if text:
        pattern = f"%{text}%"
        query = query.where(sa.or_(Company.name.ilike(pattern), Company.tax_id.ilike(pattern)))
    return list(db.session.scalars(query.order_by(Company.name).limit(limit)))
