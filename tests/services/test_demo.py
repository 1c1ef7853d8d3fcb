"""`flask demo load` into a database of its own: the demo logins work, and the order history
the services made keeps every rule of the ordering area."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.accounts.models import Company, Role, User
from portal.accounts.services import authenticate
from portal.cart.models import Cart, CartLine, OrderList
from portal.core.clock import local_date
from portal.core.db import db, utcnow
from portal.demo.cli import DEMO_LOGINS, DEMO_PASSWORD
from portal.documents.models import (
    Document,
    DocumentEvent,
    DocumentKind,
    DocumentLine,
    DocumentLink,
)
from portal.notifications.models import OutboxMessage
from portal.orders.credit import OPEN_ORDER_TYPES
from portal.orders.models import OrderInfo, OrderStatus, StatusType
from portal.stock.models import StockLevel
from tests.conftest import app_config

pytestmark = pytest.mark.no_rollback

SCHEMA = "demo_check"
ROLES = {
    "admin@demo.example": Role.ADMIN,
    "staff@demo.example": Role.STAFF,
    "rep@demo.example": Role.SALES_REP,
    "owner@acme.example": Role.PARTNER_ADMIN,
    "buyer@acme.example": Role.BUYER,
    "buyer@globex.example": Role.BUYER,
    "buyer@kowalski.example": Role.BUYER,
}
NUMBER = re.compile(r"ZK/(\d{4})/(\d{2})/(\d{4})")


def _drop_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    engine.dispose()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """A fresh database (its own SQLite file, or its own PostgreSQL schema), migrated and
    loaded by the real command."""
    tmp: Path = tmp_path_factory.mktemp("demo")
    base_url = os.environ.get("DATABASE_URL")
    if base_url:
        _drop_schema(base_url)
        engine = sa.create_engine(base_url)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
        engine.dispose()
        separator = "&" if "?" in base_url else "?"
        url = f"{base_url}{separator}options=-csearch_path%3D{SCHEMA}"
    else:
        url = f"sqlite:///{tmp / 'demo.db'}"
    app = create_app(app_config(tmp, url))
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    result = app.test_cli_runner().invoke(args=["demo", "load", "--products", "60"])
    assert result.exit_code == 0, result.output
    yield app
    with app.app_context():
        db.engine.dispose()
    if base_url:
        _drop_schema(base_url)


@pytest.fixture
def ctx(demo: Flask) -> Iterator[None]:
    with demo.app_context():
        yield
        db.session.remove()


def _companies() -> dict[int, str]:
    return {company.id: company.name for company in db.session.scalars(sa.select(Company))}


def test_the_demo_logins_sign_in_with_their_roles(ctx: None) -> None:
    assert {email for email, _ in DEMO_LOGINS} == set(ROLES)
    for email, role in ROLES.items():
        user = authenticate(email, DEMO_PASSWORD, address="192.0.2.1")
        assert user.role is role, email


def test_every_partner_has_orders_of_every_kind_of_status(ctx: None) -> None:
    types: dict[str, set[StatusType]] = defaultdict(set)
    names = _companies()
    for company_id, status_type in db.session.execute(
        sa.select(Document.company_id, OrderStatus.type)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(Document.kind == DocumentKind.ZK)
    ):
        types[names[company_id]].add(status_type)
    assert len(types) == 3
    for name, found in types.items():
        assert found == set(StatusType), name


def test_acme_has_an_order_awaiting_approval_one_approved_and_one_rejected(ctx: None) -> None:
    owner = db.session.scalars(sa.select(User).where(User.email == "owner@acme.example")).one()
    buyer = db.session.scalars(sa.select(User).where(User.email == "buyer@acme.example")).one()
    codes = Counter(
        db.session.scalars(
            sa.select(OrderStatus.code)
            .join(Document, Document.status_id == OrderStatus.id)
            .where(Document.user_id == buyer.id)
        )
    )
    assert codes["awaiting_approval"] == 1
    assert codes["rejected"] == 1
    decided = db.session.execute(
        sa.select(OrderStatus.code, OrderInfo.rejection_reason)
        .join(Document, Document.id == OrderInfo.document_id)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(OrderInfo.decided_by_id == owner.id)
    ).all()
    assert sorted(code for code, _ in decided) == ["delivered", "rejected"]
    assert all(reason for code, reason in decided if code == "rejected")


def test_order_numbers_are_gapless_in_the_month_of_the_order(ctx: None) -> None:
    series: dict[str, list[int]] = defaultdict(list)
    for number, issued_on in db.session.execute(
        sa.select(Document.number, Document.issued_on).where(Document.kind == DocumentKind.ZK)
    ):
        match = NUMBER.fullmatch(number or "")
        assert match is not None, number
        assert (int(match[1]), int(match[2])) == (issued_on.year, issued_on.month), number
        series[f"{match[1]}/{match[2]}"].append(int(match[3]))
    assert len(series) >= 6  # a year of history
    for period, numbers in series.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), period


def test_the_timeline_runs_from_placing_to_now(ctx: None) -> None:
    now = utcnow()
    placed = {
        row.id: row.created_at
        for row in db.session.execute(sa.select(Document.id, Document.created_at))
    }
    for document_id, at in db.session.execute(
        sa.select(DocumentEvent.document_id, DocumentEvent.at).order_by(DocumentEvent.id)
    ):
        assert placed[document_id] <= at < now


def test_reserved_stock_is_what_the_open_orders_reserve(ctx: None) -> None:
    open_lines = (
        sa.select(Document.warehouse_id, DocumentLine.product_id, DocumentLine.reserved)
        .join(Document, Document.id == DocumentLine.document_id)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(
            Document.kind == DocumentKind.ZK,
            OrderStatus.type.in_(OPEN_ORDER_TYPES),
            DocumentLine.product_id.is_not(None),
        )
    )
    expected: Counter[tuple[int | None, int | None]] = Counter()
    for warehouse_id, product_id, reserved in db.session.execute(open_lines):
        expected[warehouse_id, product_id] += reserved
    levels = {
        (level.warehouse_id, level.product_id): level.reserved
        for level in db.session.scalars(sa.select(StockLevel))
    }
    assert sum(expected.values()) > 0
    for key in set(levels) | set(expected):
        assert levels.get(key, Decimal(0)) == expected.get(key, Decimal(0)), key


def test_partner_users_have_saved_items_a_cart_and_two_order_lists_each(ctx: None) -> None:
    people = db.session.scalars(sa.select(User).where(User.company_id.is_not(None))).all()
    for person in people:
        lines = Counter(
            db.session.scalars(
                sa.select(CartLine.saved)
                .join(Cart, Cart.id == CartLine.cart_id)
                .where(Cart.user_id == person.id)
            )
        )
        assert lines[True] >= 1, person.email
        assert 3 <= lines[False] <= 6, person.email
    lists = Counter(db.session.scalars(sa.select(OrderList.company_id)))
    assert sorted(lists.values()) == [2, 2, 2]


def test_no_mail_about_demo_orders_is_waiting_to_be_sent(ctx: None) -> None:
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_load_refuses_a_database_with_data_and_if_empty_leaves_it(demo: Flask, ctx: None) -> None:
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Document))
    runner = demo.test_cli_runner()

    refused = runner.invoke(args=["demo", "load", "--products", "5"])
    assert refused.exit_code == 1
    assert "--reset" in refused.output

    skipped = runner.invoke(args=["demo", "load", "--products", "5", "--if-empty"])
    assert skipped.exit_code == 0
    assert "nothing loaded" in skipped.output
    db.session.remove()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == orders


def test_the_demo_stock_went_through_the_ledger(ctx: None) -> None:
    from portal.core.clock import local_today
    from portal.stock.ledger import check
    from portal.stock.models import StockMove
    from portal.stock.queries import low_stock, main_warehouse_id

    assert check() == []
    assert demo_cli_check_exit_code() == 0
    kinds = Counter(
        db.session.scalars(sa.select(Document.kind).where(Document.kind.in_(["PW", "PZ", "RW"])))
    )
    assert (
        kinds[DocumentKind.PW] >= 1 and kinds[DocumentKind.PZ] >= 2 and kinds[DocumentKind.RW] >= 2
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockMove)) > 0
    assert low_stock(main_warehouse_id(), today=local_today())


def test_every_demo_partner_has_rmas_in_every_status(ctx: None) -> None:
    from portal.returns.models import RmaInfo, RmaStatus

    rows = db.session.execute(
        sa.select(Document.company_id, RmaInfo.status).join(
            RmaInfo, RmaInfo.document_id == Document.id
        )
    ).all()
    statuses: dict[int | None, set[RmaStatus]] = defaultdict(set)
    for company_id, status in rows:
        statuses[company_id].add(status)
    partners = db.session.scalars(
        sa.select(User.company_id).where(User.email.like("buyer@%.example"))
    ).all()
    assert partners and all(statuses[company] == set(RmaStatus) for company in partners)
    from portal.documents.models import DocumentLine
    from portal.returns.models import RmaLine

    claims = db.session.execute(
        sa.select(RmaLine.claimed, DocumentLine.quantity, RmaInfo.status)
        .join(DocumentLine, DocumentLine.id == RmaLine.document_line_id)
        .join(RmaInfo, RmaInfo.document_id == DocumentLine.document_id)
        .where(RmaInfo.status != RmaStatus.CLOSED)  # closed ones may have been rejected
    ).all()
    assert claims and all(
        claimed == (0 if status is RmaStatus.REJECTED else quantity)
        for claimed, quantity, status in claims
    )
    kinds = Counter(db.session.scalars(sa.select(Document.kind)))
    assert kinds[DocumentKind.ZW] and kinds[DocumentKind.KOR] and kinds[DocumentKind.KW]


def demo_cli_check_exit_code() -> int:
    from flask import current_app

    return current_app.test_cli_runner().invoke(args=["stock", "check"]).exit_code


# --- the back office: delivery notes, shipments, invoices, payments --------------------------

TRACKING = re.compile(r"DEMO\d{10}")


def _company_of(email: str) -> Company:
    user = db.session.scalars(sa.select(User).where(User.email == email)).one()
    return db.session.get_one(Company, user.company_id)


def _documents(kind: DocumentKind, company: Company) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.kind == kind, Document.company_id == company.id)
            .order_by(Document.id)
        )
    )


def test_the_rules_give_acme_and_globex_invoices_and_kowalski_receipts(ctx: None) -> None:
    from portal.invoicing.services import REVERSE_CHARGE_NOTE

    acme = _company_of("buyer@acme.example")
    globex = _company_of("buyer@globex.example")
    kowalski = _company_of("buyer@kowalski.example")
    assert _documents(DocumentKind.FS, acme) and _documents(DocumentKind.FS, globex)
    assert _documents(DocumentKind.PA, kowalski) and not _documents(DocumentKind.FS, kowalski)
    # Globex (DE, EU VAT number) is invoiced monthly at 0 % (WDT), with the reverse-charge note.
    globex_invoices = _documents(DocumentKind.FS, globex)
    assert len(globex_invoices) >= 3
    assert all(invoice.note == REVERSE_CHARGE_NOTE for invoice in globex_invoices)
    rates = set(
        db.session.scalars(
            sa.select(DocumentLine.vat_percent).where(
                DocumentLine.document_id.in_([invoice.id for invoice in globex_invoices])
            )
        )
    )
    assert rates == {Decimal(0)}
    # A keyword rule beats the tax-ID default: the Acme order asking for a receipt got one.
    receipts = _documents(DocumentKind.PA, acme)
    assert len(receipts) == 1
    orders_asking = db.session.scalars(
        sa.select(OrderInfo.document_id).where(OrderInfo.message.ilike("%paragon%"))
    ).all()
    assert orders_asking
    linked = db.session.scalars(
        sa.select(DocumentLink.source_id).where(DocumentLink.target_id == receipts[0].id)
    ).all()
    assert set(orders_asking) & set(linked)


def test_shipped_orders_have_their_delivery_note_shipment_and_invoice(ctx: None) -> None:
    from portal.fulfilment.models import Shipment

    shipped = db.session.execute(
        sa.select(Document, OrderStatus.code)
        .join(OrderStatus, OrderStatus.id == Document.status_id)
        .where(Document.kind == DocumentKind.ZK, OrderStatus.code.in_(["shipped", "delivered"]))
    ).all()
    assert shipped
    shipments = {
        shipment.order_id: shipment for shipment in db.session.scalars(sa.select(Shipment))
    }
    for order, code in shipped:
        shipment = shipments[order.id]
        assert TRACKING.fullmatch(shipment.tracking_number), order.number
        assert shipment.shipped_at is not None
        assert (shipment.delivered_at is not None) == (code == "delivered"), order.number
        note = db.session.get_one(Document, shipment.delivery_note_id)
        assert note.kind is DocumentKind.WZ and note.company_id == order.company_id
        # Dated on the day it was packed, which the order's timeline remembers.
        # (created_at is UTC; the document date is the day in Warsaw.)
        assert note.issued_on == local_date(note.created_at) >= order.issued_on, note.number


def test_each_partner_has_an_order_delivered_in_the_last_30_days(ctx: None) -> None:
    from datetime import timedelta

    from portal.fulfilment.models import Shipment

    recent = db.session.scalars(
        sa.select(Document.company_id)
        .join(Shipment, Shipment.order_id == Document.id)
        .where(Shipment.delivered_at >= utcnow() - timedelta(days=30))
    ).all()
    assert set(recent) >= set(_companies())


def test_invoices_are_paid_part_paid_and_overdue(ctx: None) -> None:
    from portal.core.clock import local_today
    from portal.payments.models import PaymentChannel, PaymentInfo
    from portal.payments.states import PaymentStatus, payment_status

    today = local_today()
    invoices = db.session.scalars(
        sa.select(Document).where(Document.kind.in_([DocumentKind.FS, DocumentKind.PA]))
    ).all()
    states = Counter(
        payment_status(invoice.gross_total, invoice.paid_total, invoice.due_on, today)
        for invoice in invoices
    )
    assert states[PaymentStatus.PAID] > len(invoices) / 2
    assert states[PaymentStatus.PARTLY_PAID] >= 1
    assert states[PaymentStatus.OVERDUE] >= 1
    channels = Counter(db.session.scalars(sa.select(PaymentInfo.channel)))
    assert channels[PaymentChannel.BANK_TRANSFER] > 10
    assert channels[PaymentChannel.CARD] >= 1
    # Every payment is allocated in full, and allocations never exceed a document's gross.
    for payment in db.session.scalars(sa.select(Document).where(Document.kind == "KP")):
        assert payment.paid_total == payment.gross_total, payment.number
    for invoice in invoices:
        assert 0 <= invoice.paid_total <= invoice.gross_total, invoice.number


def test_every_series_grows_with_its_dates(ctx: None) -> None:
    """The history runs in time order: a later number never has an earlier date. (What the
    returns demo adds afterwards, from its orders referenced DEMO-RMA on, is left out.)"""
    kinds = ["ZK", "WZ", "FS", "PA", "KP"]
    counts = Counter(db.session.scalars(sa.select(Document.kind).where(Document.kind.in_(kinds))))
    assert all(counts[kind] for kind in kinds), counts
    returns_demo = db.session.scalar(
        sa.select(sa.func.min(Document.created_at))
        .join(OrderInfo, OrderInfo.document_id == Document.id)
        .where(OrderInfo.customer_reference == "DEMO-RMA")
    )
    query = sa.select(Document.number, Document.issued_on).where(Document.kind.in_(kinds))
    if returns_demo is not None:
        query = query.where(Document.created_at < returns_demo)
    series: dict[str, list[tuple[str, date]]] = defaultdict(list)
    for number, issued_on in db.session.execute(query):
        series[number.rsplit("/", 1)[0]].append((number, issued_on))
    for period, documents in series.items():
        dates = [issued_on for _number, issued_on in sorted(documents)]
        assert dates == sorted(dates), period


def test_a_partner_downloads_the_pdf_of_each_kind_of_document(demo: Flask) -> None:
    """Packing leaves the PDFs to be rendered on first download (the demo renders none)."""
    from tests.conftest import LoggedIn

    with demo.app_context():
        users = {
            user.email: user
            for user in db.session.scalars(sa.select(User).where(User.email.like("buyer@%")))
        }
        wanted = {
            email: [
                document_id
                for kind in (DocumentKind.WZ, DocumentKind.FS, DocumentKind.PA)
                for document_id in db.session.scalars(
                    sa.select(Document.id)
                    .where(Document.company_id == user.company_id, Document.kind == kind)
                    .order_by(Document.id)
                    .limit(1)
                )
            ]
            for email, user in users.items()
        }
        db.session.remove()
    assert len(wanted) == 3 and all(len(ids) >= 2 for ids in wanted.values())
    log_in = LoggedIn(demo)
    for email, document_ids in wanted.items():
        client = log_in(users[email], DEMO_PASSWORD)
        for document_id in document_ids:
            page = client.get(f"/documents/{document_id}")
            assert page.status_code == 200
            assert f"/documents/{document_id}/pdf" in page.get_data(as_text=True)
            pdf = client.get(f"/documents/{document_id}/pdf")
            assert pdf.status_code == 200, (email, document_id)
            assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
