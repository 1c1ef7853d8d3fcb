"""Builds the demo data set: a hardware wholesaler in Poznań, its catalog, three partners and
their order history.

Everything but the dates comes from one `random.Random(seed)`, so a seed always gives the same
catalog; dates are relative to today. Catalog rows go in as bulk Core inserts with ids assigned
here, which keeps 100,000 products to seconds rather than the minutes the ORM unit of work
takes. The order history (history.py) is the opposite: few rows, made by the real services.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import click
import flask_migrate
import sqlalchemy as sa
from stdnum import ean, iban

from portal.accounts.models import User
from portal.accounts.taxids import parse_tax_id
from portal.catalog.models import (
    Category,
    ContractPrice,
    PriceList,
    PriceListTier,
    Product,
    ProductAssociation,
    ProductPhoto,
    Unit,
)
from portal.catalog.photos import StoredImage, photo_dir, store_image
from portal.core.db import Base, db, is_sqlite, utcnow
from portal.core.money import round_money
from portal.demo.bulk import CHUNK, Row, insert, next_id, sync_sequences
from portal.demo.history import add_history
from portal.demo.images import SHAPES, Colour, product_picture
from portal.demo.partners import add_partners
from portal.demo.stock import OpeningStock, add_stock_activity, add_suppliers
from portal.demo.vocabulary import BRANDS, CATALOG, GENERIC_SENTENCES, Branch, Leaf
from portal.seller.services import seller
from portal.stock.models import Warehouse

MAIN_WAREHOUSE_ID = 1
EAN_PREFIX = "59012"
"""GS1 Poland (590) and a made-up company number; seven digits of product id follow."""


# ---------------------------------------------------------------------------------------
# Entry points


def database_is_empty() -> bool:
    """No users and no products: a fresh database (its default rows do not count)."""
    has_users = db.session.scalar(sa.select(User.id).limit(1)) is not None
    has_products = db.session.scalar(sa.select(Product.id).limit(1)) is not None
    return not has_users and not has_products


def reset_database() -> None:
    """Drops every table and migrates again, which recreates the defaults of migration 0003."""
    db.session.remove()
    if is_sqlite():
        _delete_all_rows()
    flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade()
    db.session.remove()


def _delete_all_rows() -> None:
    """Empties the models' tables, children first.

    On SQLite the foundation's downgrade drops a foreign key of `companies` in batch mode: it
    copies the table and drops the old one, which fails while users still point at it.
    Empty tables drop cleanly. (The search index follows `products` through its triggers.)
    """
    existing = set(sa.inspect(db.engine).get_table_names())
    tables = [table for table in Base.metadata.sorted_tables if table.name in existing]
    # Keys declared use_alter close a cycle (companies.sales_rep_id -> users): cleared first.
    for table in tables:
        for key in table.foreign_keys:
            if key.use_alter:
                db.session.execute(sa.update(table).values({key.parent.name: None}))
    for table in reversed(tables):
        db.session.execute(sa.delete(table))
    db.session.commit()
    db.session.remove()


def load_demo(*, products: int, seed: int) -> int:
    """The seller, warehouses, categories, `products` products, the demo partners and their
    order history; returns how many orders the history has."""
    rng = random.Random(seed)
    now = utcnow()
    _update_seller()
    waw_id = _add_warehouses()
    leaf_ids = _add_categories()
    hurt_a, hurt_b = _add_price_lists()
    supplier_ids = add_suppliers()
    db.session.commit()

    plan = _CatalogPlan.make(rng, products, leaf_ids)
    photos = _store_photos(plan)
    opening = OpeningStock.start(seed, supplier_ids)
    _add_products(
        rng, plan, photos, now=now, waw_id=waw_id, price_lists=(hurt_a, hurt_b), opening=opening
    )
    opening.finish()
    _add_associations(rng, plan)
    companies = add_partners(now=now, price_list_id=hurt_a, warehouse_id=MAIN_WAREHOUSE_ID)
    _add_contract_prices(rng, plan, company_id=companies["acme"])
    sync_sequences()
    db.session.commit()

    product_ids = range(plan.first_id, plan.first_id + len(plan.leaves))
    orders = add_history(seed=seed, product_ids=product_ids, company_ids=companies)
    add_stock_activity(seed=seed, product_ids=product_ids)
    from portal.demo.returns import add_demo_returns

    add_demo_returns(seed)
    _refresh_statistics()
    return orders


def _refresh_statistics() -> None:
    """After a bulk load the planner knows nothing of the new rows, and PostgreSQL's index-only
    scans need the visibility map that VACUUM writes: without this a deep catalog page read
    the whole table for minutes until autovacuum came round."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's plans come from the declared indexes; none of them needs statistics
    db.session.remove()
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


# ---------------------------------------------------------------------------------------
# Helpers


def _update_seller() -> None:
    settings = seller()  # the row migration 0003 made, or a new one
    values = {
        "name": "Hurtownia Demo Sp. z o.o.",
        "tax_id": parse_tax_id("779-301-54-24").number,
        "street": "ul. Składowa 12",
        "postal_code": "61-888",
        "city": "Poznań",
        "country": "PL",
        "email": "biuro@hurtownia-demo.example",
        "phone": "+48 61 555 01 00",
        "return_recipient": "Hurtownia Demo Sp. z o.o. – Dział reklamacji",
        "return_street": "ul. Gdyńska 31",
        "return_postal_code": "61-016",
        "return_city": "Poznań",
        "return_country": "PL",
        "bank_name": "mBank S.A.",
        "bank_account": iban.validate("PL11 1140 2004 0000 3002 1234 5678"),
    }
    for field, value in values.items():
        setattr(settings, field, value)
    db.session.flush()


def _add_warehouses() -> int:
    """Renames the main warehouse and adds Warsaw; returns the Warsaw warehouse's id."""
    main = db.session.get(Warehouse, MAIN_WAREHOUSE_ID) or Warehouse(id=MAIN_WAREHOUSE_ID)
    main.code, main.name, main.is_main = "MAIN", "Magazyn główny Poznań", True
    db.session.add(main)
    db.session.flush()
    waw_id = next_id(Warehouse)
    row = {"id": waw_id, "code": "WAW", "name": "Magazyn Warszawa", "is_main": False}
    insert(Warehouse, [row])
    return waw_id


def _slug(text: str) -> str:
    ascii_text = text.lower().translate(str.maketrans("ąćęłńóśźż", "acelnoszz"))
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_text).split()
    return "-".join(words)


def _add_categories() -> list[int]:
    """The two-level tree; returns the ids of the leaves in CATALOG order."""
    ids = itertools.count(next_id(Category))
    rows: list[Row] = []
    leaf_ids: list[int] = []
    for position, branch in enumerate(CATALOG):
        branch_id = next(ids)
        branch_slug = _slug(branch.name)
        rows.append(
            _category(branch_id, None, branch_slug, branch.name, position, f"/{branch_id}/")
        )
        for leaf_position, leaf in enumerate(branch.leaves):
            leaf_id = next(ids)
            path = f"/{branch_id}/{leaf_id}/"
            slug = f"{branch_slug}-{_slug(leaf.name)}"
            rows.append(_category(leaf_id, branch_id, slug, leaf.name, leaf_position, path))
            leaf_ids.append(leaf_id)
    insert(Category, rows)
    return leaf_ids


def _category(
    category_id: int, parent_id: int | None, slug: str, name: str, position: int, path: str
) -> Row:
    return {
        "id": category_id,
        "parent_id": parent_id,
        "slug": slug,
        "name": name,
        "position": position,
        "path": path,
    }


def _add_price_lists() -> tuple[int, int]:
    first = next_id(PriceList)
    insert(PriceList, [{"id": first, "name": "Hurt A"}, {"id": first + 1, "name": "Hurt B"}])
    return first, first + 1


def _leaves() -> list[tuple[Branch, Leaf]]:
    return [(branch, leaf) for branch in CATALOG for leaf in branch.leaves]


def _store_photos(plan: _CatalogPlan) -> dict[int, list[StoredImage]]:
    """SHAPES pictures per leaf that gets products, each written once (the store is
    content-addressed)."""
    folder = photo_dir()  # read here: the worker threads have no app context
    used = {leaf_id: (branch, leaf) for leaf_id, branch, leaf in plan.leaves}
    jobs = [
        (leaf_id, leaf.prefix, branch.colour, shape)
        for leaf_id, (branch, leaf) in used.items()
        for shape in range(SHAPES)
    ]

    def draw_and_store(job: tuple[int, str, Colour, int]) -> StoredImage:
        _, code, colour, shape = job
        return store_image(product_picture(code, colour, shape), folder)

    # Pillow drops the GIL while it encodes, so threads share the work among the cores.
    with ThreadPoolExecutor(max_workers=4) as pool:
        stored = list(pool.map(draw_and_store, jobs))
    photos: dict[int, list[StoredImage]] = {}
    for (leaf_id, *_), picture in zip(jobs, stored, strict=True):
        photos.setdefault(leaf_id, []).append(picture)
    return photos


# ---------------------------------------------------------------------------------------
# Products


@dataclass
class _CatalogPlan:
    """Which leaf each product goes to, decided before any row is written, so that the
    associations can point at products of the same leaf that come later."""

    first_id: int
    leaves: list[tuple[int, Branch, Leaf]]
    """(category id, branch, leaf) per product, in id order."""
    members: dict[int, list[int]]
    """Product ids per leaf category id."""
    list_prices: list[Decimal]
    """Filled in as the products are made, in id order."""

    @classmethod
    def make(cls, rng: random.Random, count: int, leaf_ids: list[int]) -> _CatalogPlan:
        choices = [
            (leaf_id, branch, leaf)
            for leaf_id, (branch, leaf) in zip(leaf_ids, _leaves(), strict=True)
        ]
        weights = [leaf.weight for _, _, leaf in choices]
        picked = rng.choices(choices, weights, k=max(count, 0))
        first_id = next_id(Product)
        members: dict[int, list[int]] = {leaf_id: [] for leaf_id in leaf_ids}
        for offset, (leaf_id, _, _) in enumerate(picked):
            members[leaf_id].append(first_id + offset)
        return cls(first_id, picked, members, [])


@dataclass
class _Batch:
    """The rows of up to CHUNK products, ready to insert."""

    products: list[Row]
    photos: list[Row]
    stock: list[Row]
    tiers: list[Row]


@dataclass
class _ProductMaker:
    """Makes the products batch by batch, in id order, so the random draws stay in order."""

    rng: random.Random
    plan: _CatalogPlan
    photos: dict[int, list[StoredImage]]
    now: datetime
    waw_id: int
    price_lists: tuple[int, int]
    next_photo_id: int
    next_tier_id: int
    sku_numbers: dict[str, int]
    names: set[str]

    def batch(self, start: int) -> _Batch:
        rng, plan = self.rng, self.plan
        batch = _Batch([], [], [], [])
        for index in range(start, min(start + CHUNK, len(plan.leaves))):
            leaf_id, branch, leaf = plan.leaves[index]
            number = self.sku_numbers[leaf.prefix] = self.sku_numbers.get(leaf.prefix, 0) + 1
            product = _product(rng, plan.first_id + index, leaf_id, branch, leaf, number, self.now)
            if product["name"] in self.names:  # a big catalog runs out of combinations
                product["name"] += f" – seria {number}"
            self.names.add(product["name"])
            plan.list_prices.append(product["list_price"])
            batch.products.append(product)
            photos = _photos(rng, self.next_photo_id, product, self.photos[leaf_id])
            self.next_photo_id += len(photos)
            batch.photos += photos
            batch.stock += _stock(rng, product, self.waw_id)
            tiers = _tiers(rng, self.next_tier_id, product, self.price_lists)
            self.next_tier_id += len(tiers)
            batch.tiers += tiers
        return batch


def _add_products(
    rng: random.Random,
    plan: _CatalogPlan,
    photos: dict[int, list[StoredImage]],
    *,
    now: datetime,
    waw_id: int,
    price_lists: tuple[int, int],
    opening: OpeningStock,
) -> None:
    """Products with their photos, stock (through the ledger's opening balances), supplier
    offers and price-list tiers, committed per CHUNK."""
    maker = _ProductMaker(
        rng,
        plan,
        photos,
        now,
        waw_id,
        price_lists,
        next_photo_id=next_id(ProductPhoto),
        next_tier_id=next_id(PriceListTier),
        sku_numbers={},
        names=set(),
    )
    starts = range(0, len(plan.leaves), CHUNK)
    # closing(): on an error the generator ends at once, and with it the worker thread.
    with (
        closing(_made_ahead(maker.batch, starts)) as batches,
        click.progressbar(batches, length=len(starts), label="Products") as bar,
    ):
        for batch in bar:
            insert(Product, batch.products)
            insert(ProductPhoto, batch.photos)
            opening.add(batch.products, batch.stock)
            insert(PriceListTier, batch.tiers)
            db.session.commit()


def _made_ahead(make: Callable[[int], _Batch], starts: range) -> Generator[_Batch]:
    """The batches in order, the next one made in a thread while the database takes this one.

    Making rows is Python work and writing them is mostly waiting for the database, so the
    two overlap; a single thread keeps the random draws in their order.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        upcoming: Future[_Batch] | None = None
        for start in starts:
            following = worker.submit(make, start)
            if upcoming is not None:
                yield upcoming.result()
            upcoming = following
        if upcoming is not None:
            yield upcoming.result()


def _product(
    rng: random.Random,
    product_id: int,
    leaf_id: int,
    branch: Branch,
    leaf: Leaf,
    number: int,
    now: datetime,
) -> Row:
    name = " ".join(
        (
            rng.choice(leaf.kinds),
            rng.choice(leaf.sizes),
            rng.choice(leaf.extras),
            rng.choice(BRANDS),
        )
    )
    sentences = rng.sample(branch.sentences, rng.randint(1, 2))
    if rng.random() < 0.5:
        sentences.append(rng.choice(GENERIC_SENTENCES))
    pack = rng.choice(leaf.packs)
    if leaf.unit is Unit.METRE:
        min_order = Decimal(5)
    elif leaf.unit is Unit.KILOGRAM:
        min_order = pack
    else:
        min_order = pack * rng.choice((1, 1, 1, 2))
    body = f"{EAN_PREFIX}{product_id:07d}"
    return {
        "id": product_id,
        "sku": f"{leaf.prefix}-{number:06d}",
        "ean": body + ean.calc_check_digit(body),
        "name": name,
        "description": " ".join(sentences),
        "unit": leaf.unit,
        "pack_size": pack,
        "min_order_quantity": min_order,
        "vat_rate_id": leaf.vat_rate_id,
        "list_price": Decimal(rng.choice(leaf.prices)).scaleb(-2),
        "category_id": leaf_id,
        "min_stock": Decimal(rng.choice((10, 20, 50, 100))) if rng.random() < 0.25 else Decimal(0),
        "active": rng.random() < 0.98,
        "created_at": now - timedelta(seconds=rng.randrange(2 * 365 * 24 * 3600)),
    }


def _photos(
    rng: random.Random, first_id: int, product: Row, pictures: list[StoredImage]
) -> list[Row]:
    count = rng.choices((1, 2, 3), (5, 3, 2))[0]
    rows = []
    for position, picture in enumerate(rng.sample(pictures, count)):
        rows.append(
            {
                "id": first_id + position,
                "product_id": product["id"],
                "position": position,
                "image_key": picture.key,
                "width": picture.width,
                "height": picture.height,
                "alt": product["name"],
            }
        )
    return rows


def _quantity(rng: random.Random, unit: Unit, low: int, high: int) -> Decimal:
    """A stock quantity: whole pieces; kg weighed to the gram; metres cut to 10 cm."""
    if unit is Unit.KILOGRAM:
        return Decimal(rng.randint(low * 1000, high * 1000)).scaleb(-3)
    if unit is Unit.METRE:
        return Decimal(rng.randint(low * 10, high * 10)).scaleb(-1)
    return Decimal(rng.randint(low, high))


def _stock(rng: random.Random, product: Row, waw_id: int) -> list[Row]:
    unit: Unit = product["unit"]
    roll = rng.random()
    if roll < 0.08:
        on_hand = Decimal(0)
    elif roll < 0.18:
        on_hand = Decimal(rng.randint(1, 9))
    else:
        on_hand = _quantity(rng, unit, 20, 800)
    rows = [_stock_row(rng, product["id"], MAIN_WAREHOUSE_ID, on_hand)]
    if rng.random() < 0.3:
        rows.append(_stock_row(rng, product["id"], waw_id, _quantity(rng, unit, 0, 300)))
    return rows


def _stock_row(rng: random.Random, product_id: int, warehouse_id: int, on_hand: Decimal) -> Row:
    # Nothing is reserved yet: reservations come only from the orders of the history. These
    # draws once made up a reserved quantity; they stay so that a seed keeps its catalog.
    if rng.random() < 0.4:
        rng.randint(0, int(on_hand) // 10)
    return {
        "product_id": product_id,
        "warehouse_id": warehouse_id,
        "on_hand": on_hand,
        "reserved": Decimal(0),
    }


TIER_PERMILLE = {0: (920, 880, 840), 1: (940, 900, 860)}
"""Hurt A and Hurt B: per mille of the list price at 1, 10 and 50 (packs)."""


def _tiers(
    rng: random.Random, first_id: int, product: Row, price_lists: tuple[int, int]
) -> list[Row]:
    rows: list[Row] = []
    step = max(product["pack_size"], Decimal(1))
    minimums = (Decimal(1), 10 * step, 50 * step)
    for which, price_list_id in enumerate(price_lists):
        if rng.random() >= 0.3:
            continue
        for minimum, permille in zip(minimums, TIER_PERMILLE[which], strict=True):
            # Up to half a point either way; tiers stay 4 points apart, so prices still fall.
            factor = Decimal(permille + rng.randint(-5, 5)) / 1000
            rows.append(
                {
                    "id": first_id + len(rows),
                    "price_list_id": price_list_id,
                    "product_id": product["id"],
                    "min_quantity": minimum,
                    "price": round_money(product["list_price"] * factor),
                }
            )
    return rows


def _add_associations(rng: random.Random, plan: _CatalogPlan) -> None:
    """2-4 'customers also take' products per product, from its own leaf."""
    rows: list[Row] = []
    for index, (leaf_id, _, _) in enumerate(plan.leaves):
        product_id = plan.first_id + index
        others = plan.members[leaf_id]
        wanted = min(rng.randint(2, 4), len(others) - 1)
        if wanted <= 0:
            continue
        picked = [other for other in rng.sample(others, wanted + 1) if other != product_id]
        for position, associated_id in enumerate(picked[:wanted]):
            rows.append(
                {"product_id": product_id, "associated_id": associated_id, "position": position}
            )
        if len(rows) >= CHUNK:
            insert(ProductAssociation, rows)
            rows = []
    insert(ProductAssociation, rows)


def _add_contract_prices(rng: random.Random, plan: _CatalogPlan, *, company_id: int) -> None:
    """Acme's negotiated prices: about 40 products at about 80 % of the list price."""
    count = len(plan.list_prices)
    picked = sorted(rng.sample(range(count), min(40, count)))
    rows = [
        {
            "company_id": company_id,
            "product_id": plan.first_id + index,
            "price": round_money(plan.list_prices[index] * Decimal(rng.randint(78, 82)) / 100),
        }
        for index in picked
    ]
    insert(ContractPrice, rows)
