"""Back-office benchmark: document lists and dashboards with a large document history.

    .venv/bin/python -m bench.backoffice                  # SQLite: 100,000 products,
                                                          # 1,000 partners, 1,000,000 lines
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.backoffice
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.backoffice --reuse
                                                          # the data set loaded last time
    .venv/bin/python -m bench.backoffice --partners 100 --document-lines 50000 --products 5000

Server time per request in-process (the app's Server-Timing figure), as bench/catalog.py
measures it. Target: p95 <= 50 ms for the document lists and the dashboards.
"""

from __future__ import annotations

import argparse
import random

import sqlalchemy as sa

from bench.common import bench_app, database_url, ensure_demo, flask_cli, measure, report

PASSWORD = "demo-pass-2026"


def settle(url: str) -> None:
    """VACUUM ANALYZE the PostgreSQL database, as autovacuum soon would in production: right
    after the bulk load its statistics are stale and no page is marked all-visible, so
    index-only scans still read the table, and the figures would be those of the first
    minutes after a mass import rather than of a database in use."""
    if not url.startswith("postgresql"):
        return
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=1_000)
    parser.add_argument("--document-lines", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the data set DATABASE_URL already holds (migrated), not a fresh one: "
        "loading it into PostgreSQL takes ten minutes",
    )
    args = parser.parse_args()

    label = f"backoffice-{args.products}-{args.partners}-{args.document_lines}"
    url = database_url(label)
    if args.reuse:
        flask_cli(url, "db", "upgrade")
    else:
        ensure_demo(
            url,
            "--products",
            str(args.products),
            "--partners",
            str(args.partners),
            "--document-lines",
            str(args.document_lines),
            marker=label,
        )
    settle(url)
    app = bench_app(url)
    rng = random.Random(args.seed)

    from portal.accounts.models import Company, Role, User
    from portal.core.db import db
    from portal.documents.models import Document, DocumentKind, DocumentLine

    with app.app_context():
        lines = db.session.scalar(sa.select(sa.func.count()).select_from(DocumentLine))
        documents = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
        partners = db.session.scalar(sa.select(sa.func.count()).select_from(Company))
        # The busiest partner: its buyer's /documents is the longest partner list there is.
        busiest = db.session.execute(
            sa.select(Document.company_id, sa.func.count())
            .where(Document.company_id.is_not(None))
            .group_by(Document.company_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()
        buyer_email = db.session.scalar(
            sa.select(User.email).where(User.company_id == busiest[0], User.role == Role.BUYER)
        )
        company_ids = list(
            db.session.scalars(sa.select(Company.id).order_by(sa.func.random()).limit(200))
        )
        numbers = list(
            db.session.scalars(
                sa.select(Document.number)
                .where(Document.kind == DocumentKind.FS)
                .order_by(sa.func.random())
                .limit(200)
            )
        )
        dialect = db.engine.dialect.name

    def client_for(email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        client = app.test_client()
        if password:
            response = client.post("/login", data={"email": email, "password": password})
            assert response.status_code == 303, (email, response.status_code)
        return client

    staff = client_for("staff@demo.example")
    rep = client_for("rep@demo.example")
    partner = client_for(buyer_email)

    def months() -> str:
        month = rng.randint(1, 11)
        return f"from=2026-{month:02d}-01&to=2026-{month:02d}-28"

    n = args.requests
    kinds = ["FS", "PA", "WZ", "KP", "ZK"]
    timings = [
        measure("office documents", ["/office/documents"] * n, staff.get),
        measure(
            "office documents by kind",
            [f"/office/documents?kind={rng.choice(kinds)}" for _ in range(n)],
            staff.get,
        ),
        measure(
            "office documents partner",
            [f"/office/documents?partner={rng.choice(company_ids)}" for _ in range(n)],
            staff.get,
        ),
        measure(
            "office documents month",
            [f"/office/documents?kind=FS&{months()}" for _ in range(n)],
            staff.get,
        ),
        measure(
            "office documents number",
            [f"/office/documents?q={rng.choice(numbers)}" for _ in range(n)],
            staff.get,
        ),
        measure("office documents overdue", ["/office/documents?payment=overdue"] * n, staff.get),
        measure("office payments", ["/office/payments"] * n, staff.get),
        measure("office orders queue", ["/office/orders"] * n, staff.get),
        measure("office dashboard", ["/office"] * n, staff.get),
        measure("rep dashboard", ["/rep"] * n, rep.get),
        measure("partner documents", ["/documents"] * n, partner.get),
        measure(
            "partner documents kind",
            [f"/documents?kind={rng.choice(['FS', 'WZ', 'KP'])}" for _ in range(n)],
            partner.get,
        ),
        measure("partner statement", ["/documents/statement"] * n, partner.get),
    ]
    report(
        "Backoffice benchmark",
        timings,
        {
            "database": dialect,
            "partners": partners,
            "documents": documents,
            "document lines": lines,
            "requests each": n,
        },
    )


if __name__ == "__main__":
    main()
