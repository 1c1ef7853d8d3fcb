"""Returns benchmark: server time per request with 100,000 RMA lines in the database.

    .venv/bin/python -m bench.returns                    # SQLite, 100,000 RMA lines
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.returns
    .venv/bin/python -m bench.returns --rma-lines 20000 --requests 200

The data set is the demo plus 40 partners with a document history (their delivery notes are
what the RMAs claim) and `--rma-lines` RMA lines in every status (`flask demo load
--rma-lines N`, bulk inserts). Measured in-process through the whole Flask stack:

- the staff RMA queue: first page, filtered by status, kind, partner and age, searched by
  RMA number and by order number, and a deep page (keyset cursor);
- a partner's RMA list (/returns) as the buyer of a partner with many RMAs;
- the filing form (/returns/new?order=<id>) for a delivered order of a demo buyer (the
  volume's orders have no shipments, so they are not "delivered" for filing).

Target: p95 <= 50 ms each, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import random

import sqlalchemy as sa

from bench.common import bench_app, database_url, ensure_demo, measure, report

PASSWORD = "demo-pass-2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rma-lines", type=int, default=100_000)
    parser.add_argument("--document-lines", type=int, default=400_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    label = f"returns-{args.rma_lines}"
    url = database_url(label)
    ensure_demo(
        url,
        "--products",
        "2000",
        "--partners",
        "40",
        "--document-lines",
        str(args.document_lines),
        "--rma-lines",
        str(args.rma_lines),
        marker=label,
    )
    app = bench_app(url)
    rng = random.Random(args.seed)

    from portal.accounts.models import Company, User
    from portal.core.db import db
    from portal.documents.models import Document, DocumentKind
    from portal.fulfilment.models import Shipment
    from portal.returns.models import RmaLine, RmaStatus

    with app.app_context():
        dialect = db.engine.dialect.name
        rma_lines = db.session.scalar(sa.select(sa.func.count()).select_from(RmaLine))
        numbers = list(
            db.session.scalars(
                sa.select(Document.number)
                .where(Document.kind == DocumentKind.RMA)
                .order_by(sa.func.random())
                .limit(200)
            )
        )
        order_numbers = list(
            db.session.scalars(
                sa.select(Document.number)
                .where(Document.id.in_(sa.select(RmaLine.order_id).limit(2000)))
                .limit(200)
            )
        )
        partners = list(db.session.scalars(sa.select(Company.id).order_by(Company.id)))
        busiest = db.session.execute(
            sa.select(Document.company_id, sa.func.count())
            .where(Document.kind == DocumentKind.RMA)
            .group_by(Document.company_id)
            .order_by(sa.func.count().desc())
            .limit(1)
        ).one()[0]
        buyer = db.session.scalars(
            sa.select(User.email).where(User.company_id == busiest).order_by(User.id)
        ).first()
        # The filing form needs orders with a delivered shipment (the demo's own history).
        filer_orders = db.session.execute(
            sa.select(Shipment.order_id, User.email)
            .join(Document, Document.id == Shipment.order_id)
            .join(User, User.id == Document.user_id)
            .where(Shipment.delivered_at.is_not(None))
            .order_by(Shipment.id)
            .limit(50)
        ).all()
        filer = filer_orders[0][1]
        delivered_orders = [order_id for order_id, email in filer_orders if email == filer]
        deep = db.session.execute(
            sa.select(Document.issued_on, Document.id)
            .where(Document.kind == DocumentKind.RMA)
            .order_by(Document.issued_on.desc(), Document.id.desc())
            .offset(5000)
            .limit(1)
        ).first()

    staff = app.test_client()
    assert (
        staff.post("/login", data={"email": "staff@demo.example", "password": PASSWORD}).status_code
        == 303
    )
    partner = app.test_client()
    assert partner.post("/login", data={"email": buyer, "password": PASSWORD}).status_code == 303
    filing = app.test_client()
    assert filing.post("/login", data={"email": filer, "password": PASSWORD}).status_code == 303

    n = args.requests
    statuses = [status.value for status in RmaStatus]
    queue_urls = []
    for _ in range(n):
        choice = rng.randrange(6)
        if choice == 0:
            queue_urls.append("/office/returns")
        elif choice == 1:
            queue_urls.append(f"/office/returns?status={rng.choice(statuses)}")
        elif choice == 2:
            queue_urls.append(f"/office/returns?partner={rng.choice(partners)}&kind=return")
        elif choice == 3:
            queue_urls.append(f"/office/returns?age={rng.choice([2, 7, 30])}")
        elif choice == 4:
            queue_urls.append(f"/office/returns?q={rng.choice(numbers)}")
        else:
            queue_urls.append(f"/office/returns?q={rng.choice(order_numbers or numbers)}")
    timings = [
        measure("RMA queue (filters, search)", queue_urls, staff.get),
        measure(
            "RMA queue deep page",
            [f"/office/returns?after={deep[0]}_{deep[1]}" if deep else "/office/returns"] * n,
            staff.get,
        ),
        measure("partner RMA list", ["/returns"] * n, partner.get),
        measure(
            "filing form",
            [f"/returns/new?order={rng.choice(delivered_orders)}" for _ in range(n)],
            filing.get,
        ),
    ]
    report(
        "Returns benchmark",
        timings,
        {
            "database": dialect,
            "RMA lines": rma_lines,
            "partner with most RMAs": busiest,
            "requests each": n,
        },
    )


if __name__ == "__main__":
    main()
