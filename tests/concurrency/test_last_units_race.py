"""Partners racing for the last units against a real server: reserved never exceeds on
hand, and whoever loses is told before placing that the line is now a backorder."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from portal import create_app
from portal.core.db import db
from portal.documents.models import DocumentLine
from portal.stock.models import StockLevel
from tests.builders import DEFAULT_PASSWORD, make_address, make_company, make_product, make_user
from tests.conftest import app_config, migrate_to_head
from tests.services.orders.helpers import fill_cart

pytestmark = [pytest.mark.concurrency, pytest.mark.no_rollback]
BUYERS = 6


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return (
                    response.status,
                    response.read().decode(),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location", "")


def checkout_form(html: str) -> dict[str, str]:
    def value(name: str) -> str:
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'value="([^"]*)"[^>]*name="{name}"', html
        )
        assert found, name
        return found.group(1).replace("&#34;", '"').replace("&quot;", '"')

    return {
        "content_key": value("content_key"),
        "seen": value("seen"),
        "address": re.search(r'name="address" value="(\d+)"', html).group(1),
        "delivery_method": "pickup",
        "payment_method": "bank_transfer",
    }


def test_concurrent_buyers_never_reserve_more_than_is_on_hand(isolated_database_url, tmp_path):
    app = create_app(app_config(tmp_path, isolated_database_url))
    migrate_to_head(app)
    with app.app_context():
        product = make_product(name="Last pump", stock=5)
        emails = []
        for n in range(BUYERS):
            company = make_company(name=f"Rival {n}")
            make_address(company, is_default=True)
            buyer = make_user(company=company, email=f"rival{n}@example.com")
            fill_cart(buyer, (product, "2"))
            emails.append(buyer.email)
        product_id = product.id
        db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Request threads finish their teardown (which hands the connection back) before the
    # engine is disposed: server_close() joins them.
    server.daemon_threads = False
    server.block_on_close = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        browsers = []
        forms = []
        for email in emails:
            browser = Browser(base)
            status, _, _ = browser.request("/login", {"email": email, "password": DEFAULT_PASSWORD})
            assert status == 303
            status, html, _ = browser.request("/checkout")
            assert status == 200 and "Place order" in html
            browsers.append(browser)
            forms.append(checkout_form(html))

        barrier = threading.Barrier(BUYERS)
        results: list[tuple[int, str, str]] = [(0, "", "")] * BUYERS

        def submit(i: int) -> None:
            barrier.wait()
            results[i] = browsers[i].request("/checkout", forms[i])

        workers = [threading.Thread(target=submit, args=(i,)) for i in range(BUYERS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)

        placed = [r for r in results if r[0] == 303]
        told = [r for r in results if r[0] == 409]
        assert len(placed) + len(told) == BUYERS, [r[0] for r in results]
        assert len(placed) == 2  # 2 + 2 of the 5 units; the third would get only 1
        assert all("backorder" in html for _, html, _ in told)

        # A loser confirms the changed line and gets a backorder, not stolen stock.
        loser = results.index(told[0])
        status, _, _ = browsers[loser].request("/checkout", checkout_form(told[0][1]))
        assert status == 303
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()

    with app.app_context():
        level = db.session.scalar(sa.select(StockLevel).where(StockLevel.product_id == product_id))
        lines = list(
            db.session.scalars(sa.select(DocumentLine).where(DocumentLine.product_id == product_id))
        )
        assert level.on_hand == Decimal("5")
        assert level.reserved == sum((line.reserved for line in lines), Decimal(0)) == Decimal("5")
        assert level.reserved <= level.on_hand
        db.session.remove()  # hand the connection back before the pool goes
        db.engine.dispose()
