"""Browser tests: Debian's chromium through Playwright against a live server.

The server runs in a thread on its own SQLite file (commits are real here), with a small
catalog built once per run.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image, ImageDraw
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import Role
from portal.core.db import db
from tests.conftest import app_config, migrate_to_head

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
NARROWEST = {"width": 360, "height": 740}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _photo(colour: str) -> bytes:
    image = Image.new("RGB", (400, 400), colour)
    ImageDraw.Draw(image).ellipse((80, 80, 320, 320), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return buffer.getvalue()


def seed(app: Flask) -> dict[str, Any]:
    from portal.catalog.photos import store_image
    from tests import builders

    with app.app_context():
        hardware = builders.make_category("Okucia meblowe")
        hinges = builders.make_category("Zawiasy", parent=hardware)
        handles = builders.make_category("Uchwyty", parent=hardware)
        tools = builders.make_category("Elektronarzędzia")
        stored = [store_image(_photo(c)) for c in ("#1d4ed8", "#b45309", "#15803d")]
        for n in range(30):
            product = builders.make_product(
                sku=f"ZAW-{n:04d}",
                ean=f"590000000{n:04d}",
                name=f"Zawias puszkowy {30 + n} mm z cichym domykiem",
                description="Zawias meblowy do drzwi nakładanych. Kąt otwarcia 110°.",
                category_id=hinges.id,
                list_price=Decimal("12.90") + n,
                stock=(0 if n % 7 == 0 else 5 if n % 5 == 0 else 120),
            )
            builders.add_photo(product, stored[n % 3].key)
        for n in range(6):
            builders.make_product(
                sku=f"UCH-{n:04d}",
                name=f"Uchwyt meblowy relingowy {96 + 32 * n} mm",
                category_id=handles.id,
                list_price=Decimal("7.49"),
                stock=40,
            )
        builders.make_product(
            sku="WKR-0001",
            name="Wkrętarka akumulatorowa 18V",
            category_id=tools.id,
            list_price=Decimal("399.00"),
            stock=12,
        )
        company = builders.make_company(name="Acme Sp. z o.o.", default_discount=Decimal("5.00"))
        builders.make_address(company, label="Magazyn Poznań", is_default=True)
        buyer = builders.make_user(
            role=Role.BUYER, company=company, email="buyer@acme.example", name="Bartek Zakupowy"
        )
        owner = builders.make_user(
            role=Role.PARTNER_ADMIN,
            company=company,
            email="owner@acme.example",
            name="Olga Właścicielka",
        )
        staff = builders.make_user(
            role=Role.STAFF, email="staff@demo.example", name="Piotr Magazynier"
        )
        db.session.commit()
        return {"buyer": buyer.email, "owner": owner.email, "staff": staff.email}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("browser")
    app = create_app(
        app_config(
            tmp,
            f"sqlite:///{tmp / 'browser.db'}",
            WTF_CSRF_ENABLED=True,
            SESSION_PROTECTION="strong",
        )
    )
    migrate_to_head(app)
    app.config["SEED"] = seed(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def _closing_each_response(app: Flask) -> Callable[..., Iterable[bytes]]:
    """The app, with each response read whole and closed before it is sent.

    werkzeug's development server closes a response only after draining the request from the
    socket; when the browser has already reset the connection (it drops photos it no longer
    needs), that read raises first, and the file a photo was sent from is left to the garbage
    collector, whose ResourceWarning then fails whichever test happens to be running. Read
    and closed first, no file outlives its request, however the connection ends.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def base_url(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _closing_each_response(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(params=[PHONE, TABLET], ids=["phone-390x844", "tablet-820x1180"])
def browser_context_args(request: pytest.FixtureRequest, base_url: str) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "viewport": request.param,
        "is_mobile": True,
        "has_touch": True,
        "locale": "en-GB",
    }


@pytest.fixture
def log_in_page(page, live_app: Flask):  # type: ignore[no-untyped-def]
    def log_in(email: str, password: str = "correct horse battery") -> None:
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/catalog**")

    return log_in


def assert_no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.fixture
def buyer_email(live_app: Flask) -> str:
    """A fresh buyer of the seeded Acme for each test: carts and orders persist in the
    browser database, so every test starts with an empty cart of its own."""
    import sqlalchemy as sa

    from portal.accounts.models import Company
    from tests import builders

    with live_app.app_context():
        acme = db.session.scalar(sa.select(Company).where(Company.name == "Acme Sp. z o.o."))
        user = builders.make_user(role=Role.BUYER, company=acme, name="Celina Koszykowa")
        db.session.commit()
        return user.email
