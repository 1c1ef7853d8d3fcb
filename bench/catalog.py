"""Catalog benchmark: server time per request with a large catalog.

    .venv/bin/python -m bench.catalog                     # 100,000 products on SQLite
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.catalog
    .venv/bin/python -m bench.catalog --products 10000 --requests 300

Requests go through the whole Flask stack in-process (routing, login, queries, templates),
so the time is the server's time without the network. Target: p95 <= 30 ms each.
"""

from __future__ import annotations

import argparse
import random

import sqlalchemy as sa

from bench.common import bench_app, database_url, ensure_demo, measure, report

WORDS = [
    "zawias",
    "uchwyt",
    "wkręt",
    "kabel",
    "farba",
    "rękawice",
    "taśma",
    "wiertło",
    "klej",
    "śruba",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    url = database_url(f"catalog-{args.products}")
    ensure_demo(url, "--products", str(args.products), marker=f"catalog-{args.products}")
    app = bench_app(url)
    rng = random.Random(args.seed)

    from portal.catalog.models import Category, Product
    from portal.core.db import db

    with app.app_context():
        product_count = db.session.scalar(sa.select(sa.func.count()).select_from(Product))
        skus = list(
            db.session.scalars(
                sa.select(Product.sku).where(Product.active).order_by(sa.func.random()).limit(2000)
            )
        )
        categories = list(db.session.scalars(sa.select(Category.slug)))
        names = list(
            db.session.scalars(sa.select(Product.name).order_by(sa.func.random()).limit(500))
        )
        dialect = db.engine.dialect.name

    client = app.test_client()
    login = client.post(
        "/login", data={"email": "buyer@acme.example", "password": "demo-pass-2026"}
    )
    assert login.status_code == 303, login.status_code

    def fetch(path: str):  # type: ignore[no-untyped-def]
        return client.get(path)

    n = args.requests
    pages = max(1, (product_count or 0) // 24)
    timings = [
        measure(
            "catalog page", [f"/catalog?page={rng.randint(1, pages)}" for _ in range(n)], fetch
        ),
        measure(
            "catalog category",
            [
                f"/catalog?category={rng.choice(categories)}&page={rng.randint(1, 5)}"
                for _ in range(n)
            ],
            fetch,
        ),
        measure(
            "search text",
            [f"/catalog?q={rng.choice(WORDS)}+{rng.choice(names).split()[-1]}" for _ in range(n)],
            fetch,
        ),
        measure("search one word", [f"/catalog?q={rng.choice(WORDS)}" for _ in range(n)], fetch),
        measure("search SKU", [f"/catalog?q={rng.choice(skus)}" for _ in range(n)], fetch),
        measure(
            "autocomplete",
            [f"/catalog/autocomplete?q={rng.choice(names)[: rng.randint(3, 8)]}" for _ in range(n)],
            fetch,
        ),
        measure("product detail", [f"/products/{rng.choice(skus)}" for _ in range(n)], fetch),
    ]
    report(
        "Catalog benchmark",
        timings,
        {"database": dialect, "products": product_count, "requests each": n},
    )


if __name__ == "__main__":
    main()
