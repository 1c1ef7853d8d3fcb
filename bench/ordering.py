"""Ordering benchmark.

    .venv/bin/python -m bench.ordering                 # SQLite, 100,000-product demo
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m bench.ordering

1. Cart page and add-to-cart with 50 lines in the cart: server time per request in-process
   (target p95 <= 30 ms).
2. Order placement through gunicorn (sync workers) with 8 concurrent clients, each order a
   GET /checkout and a POST /checkout of a 10-line cart (target >= 50 orders/s); afterwards
   every order, number and reservation is checked.

Logins are skipped by signing session cookies with the app's key (argon2 costs ~140 ms per
login and is not what this measures); session protection is off for the benchmark server.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from bench.common import ROOT, bench_app, database_url, ensure_demo, measure, report

CONCURRENCY = 8
LINES_PER_ORDER = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def session_cookie(app, user_id: int, version: int) -> str:  # type: ignore[no-untyped-def]
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": f"{user_id}:{version}", "_fresh": True})


def prepare_buyers(app, count: int, rng: random.Random) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Buyers in companies of their own, each with a 10-line cart of in-stock products."""
    from portal.accounts.models import Address, Company, Role, User
    from portal.cart.models import Cart, CartLine
    from portal.catalog.models import Product
    from portal.core.db import db
    from portal.stock.models import StockLevel

    available = StockLevel.on_hand - StockLevel.reserved
    hundred = sa.literal(100, sa.Integer())  # a plain number: 100 as a quantity would be scaled
    with app.app_context():
        products = list(
            db.session.execute(
                sa.select(Product.id, Product.min_order_quantity, Product.pack_size)
                .join(StockLevel, StockLevel.product_id == Product.id)
                .where(
                    Product.active,
                    StockLevel.warehouse_id == 1,
                    # Enough for many orders of the largest quantity a line asks for: a line
                    # that turns into a backorder between GET and POST answers 409, rightly.
                    available >= Product.pack_size * hundred,
                    available >= Product.min_order_quantity * hundred,
                )
                .limit(3000)
            )
        )
        stamp = time.time_ns()  # two calls in one second must not share e-mail addresses
        users = []
        for n in range(count):
            company = Company(name=f"Bench {stamp}-{n}", payment_terms_days=0)
            db.session.add(company)
            db.session.flush()
            db.session.add(
                Address(
                    company_id=company.id,
                    label="HQ",
                    recipient=company.name,
                    street="ul. Testowa 1",
                    postal_code="60-001",
                    city="Poznań",
                    is_default=True,
                )
            )
            user = User(
                email=f"bench{stamp}-{n}@example.com",
                name=f"Bench {n}",
                role=Role.BUYER,
                company_id=company.id,
                password_hash=None,
            )
            db.session.add(user)
            db.session.flush()
            cart = Cart(user_id=user.id)
            db.session.add(cart)
            db.session.flush()
            for product_id, moq, pack in rng.sample(products, LINES_PER_ORDER):
                db.session.add(
                    CartLine(cart_id=cart.id, product_id=product_id, quantity=max(moq, pack))
                )
            users.append((user.id, user.session_version))
        db.session.commit()
        return users


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html
    )
    if not found:
        raise RuntimeError(f"no {name} on the checkout page")
    return found.group(1).replace("&#34;", '"').replace("&quot;", '"')


def place_one(port: int, cookie: str) -> str:
    """GET /checkout, then POST it back with its CSRF token and the session it set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/checkout", headers={"Cookie": f"session={cookie}"})
    response = connection.getresponse()
    html = response.read().decode()
    if response.status != 200:
        raise RuntimeError(f"GET /checkout answered {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("session="):
            cookie = value.split(";", 1)[0].removeprefix("session=")
    address = re.search(r'name="address" value="(\d+)"', html)
    body = urllib.parse.urlencode(
        {
            "csrf_token": field(html, "csrf_token"),
            "content_key": field(html, "content_key"),
            "seen": field(html, "seen"),
            "address": address.group(1) if address else "new",
            "delivery_method": "courier",
            "payment_method": "bank_transfer",
            "customer_reference": "BENCH",
        }
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        "/checkout",
        body=body,
        headers={
            "Cookie": f"session={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = connection.getresponse()
    answer = response.read().decode()
    if response.status != 303:
        said = re.search(r'role="alert">(.*?)</div>', answer, re.S)
        text = " ".join(re.sub(r"<[^>]+>", " ", said.group(1)).split()) if said else ""
        raise RuntimeError(f"POST /checkout answered {response.status}: {text[:300]}")
    return response.getheader("Location") or ""


def run_gunicorn(url: str, port: int, secret: str) -> subprocess.Popen[bytes]:
    """Starts gunicorn and returns once every worker has loaded the app (bench/wsgi_bench.py
    marks each one): gunicorn accepts connections before its workers have booted, and a
    clock started then would count the workers' boot (seconds) as order placement."""
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    ready = Path(tempfile.mkdtemp(prefix="bench-ready-"))
    env = dict(
        os.environ,
        DATABASE_URL=url,
        SECRET_KEY=secret,
        PORTAL_BENCH="1",
        MEDIA_ROOT=str(ROOT / "bench" / "data" / "media"),
        MAIL_FILE_DIR="/tmp/bench-mail",
        BENCH_READY_DIR=str(ready),
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "bench.wsgi_bench:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(600):
            if process.poll() is not None:
                break
            if len(list(ready.iterdir())) >= workers:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return process
            time.sleep(0.1)
        process.kill()
        raise RuntimeError("gunicorn did not start")
    finally:
        shutil.rmtree(ready, ignore_errors=True)


def _ticks(pid: int) -> int:
    """CPU time (user + system, clock ticks) of a process and of its children that ended."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(field) for field in fields[11:15])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _busy_ticks() -> int:
    """CPU time the whole machine spent outside idle and iowait, in clock ticks."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4]


class CpuShare:
    """Where the CPU went while orders were placed: gunicorn's processes, this client, and
    the rest of the machine (the database's processes, on PostgreSQL)."""

    def __init__(self, server: int) -> None:
        self.server = server
        self.workers = _children(server)
        self.start = self._now()

    def _now(self) -> tuple[int, int, int]:
        web = _ticks(self.server) + sum(_ticks(pid) for pid in self.workers)
        return web, _ticks(os.getpid()), _busy_ticks()

    def per_order(self, orders: int) -> str:
        web, client, busy = (b - a for a, b in zip(self.start, self._now(), strict=True))
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        return (
            f"web workers {web * tick_ms / orders:.1f} ms, client {client * tick_ms / orders:.1f}"
            f" ms, the rest {(busy - web - client) * tick_ms / orders:.1f} ms"
        )


def verify(app, before: dict[int, Decimal], started_id: int, expected: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from portal.core.db import db
    from portal.core.money import sum_of
    from portal.documents.models import Document, DocumentKind, DocumentLine
    from portal.stock.models import StockLevel

    with app.app_context():
        orders = list(
            db.session.scalars(
                sa.select(Document).where(
                    Document.kind == DocumentKind.ZK, Document.id > started_id
                )
            )
        )
        numbers = [order.number for order in orders]
        assert len(orders) == expected, (len(orders), expected)
        assert len(set(numbers)) == len(numbers), "duplicate numbers"
        by_series: dict[str, list[int]] = {}
        for number in numbers:
            series, _, seq = number.rpartition("/")
            by_series.setdefault(series, []).append(int(seq))
        for series, seqs in by_series.items():
            seqs.sort()
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"gap in {series}"
        lines = db.session.execute(
            sa.select(DocumentLine.product_id, sa.func.count(), sum_of(DocumentLine.reserved))
            .where(
                DocumentLine.document_id.in_([o.id for o in orders]),
                DocumentLine.product_id.is_not(None),
            )
            .group_by(DocumentLine.product_id)
        ).all()
        per_order = Counter(
            db.session.scalars(
                sa.select(DocumentLine.document_id).where(
                    DocumentLine.document_id.in_([o.id for o in orders]),
                    DocumentLine.product_id.is_not(None),
                )
            )
        )
        assert not per_order or set(per_order.values()) == {LINES_PER_ORDER}, per_order.most_common(
            3
        )
        after = {
            row.product_id: row.reserved
            for row in db.session.execute(
                sa.select(StockLevel.product_id, StockLevel.reserved, StockLevel.on_hand).where(
                    StockLevel.warehouse_id == 1
                )
            )
        }
        for product_id, _count, reserved_raw in lines:
            reserved = reserved_raw
            assert after[product_id] - before.get(product_id, Decimal(0)) == reserved, product_id
        over = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(StockLevel)
            .where(StockLevel.reserved > StockLevel.on_hand)
        )
        assert over == 0
        return {"orders": len(orders), "series": sorted(by_series)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--orders", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(11)

    url = database_url(f"catalog-{args.products}")
    ensure_demo(url, "--products", str(args.products), marker=f"catalog-{args.products}")
    app = bench_app(url)
    app.config["SESSION_PROTECTION"] = None

    from portal.catalog.models import Product
    from portal.core.db import db
    from portal.documents.models import Document
    from portal.stock.models import StockLevel

    # 1. cart page and add-to-cart with 50 lines, in-process
    ((user_id, version),) = prepare_buyers(app, 1, rng)
    with app.app_context():
        from portal.cart.models import Cart, CartLine

        cart_id = db.session.scalar(sa.select(Cart.id).where(Cart.user_id == user_id))
        have = set(
            db.session.scalars(sa.select(CartLine.product_id).where(CartLine.cart_id == cart_id))
        )
        extra = [
            pid
            for pid in db.session.scalars(
                sa.select(Product.id)
                .where(
                    Product.active,
                    Product.unit == "pcs",
                    Product.pack_size == 1,
                    Product.min_order_quantity == 1,
                )
                .limit(400)
            )
            if pid not in have
        ]
        for pid in extra[: 50 - len(have)]:
            db.session.add(CartLine(cart_id=cart_id, product_id=pid, quantity=Decimal(1)))
        db.session.commit()
        addable = extra[50:350]
        dialect = db.engine.dialect.name
    client = app.test_client()
    cookie = session_cookie(app, user_id, version)
    client.set_cookie("session", cookie)
    assert client.get("/cart").status_code == 200

    def add(product_id: str):  # type: ignore[no-untyped-def]
        response = client.post("/cart/add", data={"product_id": product_id, "quantity": "1"})
        # A browser shows the flashed "Added ..." on the page it is sent to; the benchmark
        # does not follow the redirect, so it drops them rather than let the cookie grow
        # past the 4 KB browsers keep.
        client.set_cookie("session", cookie)
        return response

    timings = [
        measure("cart page (50 lines)", ["/cart"] * args.requests, client.get),
        measure("add to cart", [str(rng.choice(addable)) for _ in range(args.requests)], add),
    ]

    # 2. placement through gunicorn
    buyers = prepare_buyers(app, args.orders, rng)
    with app.app_context():
        before = {
            row.product_id: row.reserved
            for row in db.session.execute(
                sa.select(StockLevel.product_id, StockLevel.reserved).where(
                    StockLevel.warehouse_id == 1
                )
            )
        }
        started_id = (
            db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Document.id), 0))) or 0
        )
        db.session.remove()
    port = free_port()
    server = run_gunicorn(url, port, app.config["SECRET_KEY"])
    cookies = [session_cookie(app, uid, ver) for uid, ver in buyers]
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if not cookies:
                    return
                cookie = cookies.pop()
            try:
                place_one(port, cookie)
            except Exception as error:  # reported below
                errors.append(str(error))

    try:
        cpu = CpuShare(server.pid)
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu_used = cpu.per_order(args.orders)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[:3]}", file=sys.stderr)
    checked = verify(app, before, started_id, args.orders - len(errors))
    rate = (args.orders - len(errors)) / elapsed
    report(
        "Ordering benchmark",
        timings,
        {
            "database": dialect,
            "products": args.products,
            "placement": f"{args.orders} orders of {LINES_PER_ORDER} lines, {CONCURRENCY} clients, "
            f"gunicorn {os.environ.get('WEB_CONCURRENCY', '2')} sync workers: "
            f"{rate:.1f} orders/s ({elapsed:.1f} s), {len(errors)} errors",
            "CPU per order": cpu_used,
            "verified": f"{checked['orders']} orders; numbers gapless; reservations match",
        },
    )
    Path(ROOT / "bench" / "results").mkdir(exist_ok=True)


if __name__ == "__main__":
    main()
