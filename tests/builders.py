"""Builders for test data: keyword defaults, flushed, never committed by themselves."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from portal.accounts.models import Address, Company, Role, User
from portal.accounts.passwords import hash_password
from portal.catalog.models import (
    Category,
    ContractPrice,
    PriceList,
    PriceListTier,
    Product,
    ProductAssociation,
    ProductPhoto,
    Unit,
    VatRate,
)
from portal.core.db import db
from portal.stock.models import StockLevel, Warehouse

DEFAULT_PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def vat_rate(code: str = "23") -> VatRate:
    rate = db.session.scalar(sa.select(VatRate).where(VatRate.code == code))
    assert rate is not None, f"the defaults migration should create VAT {code}"
    return rate


def main_warehouse() -> Warehouse:
    warehouse = db.session.scalar(sa.select(Warehouse).where(Warehouse.is_main.is_(True)))
    assert warehouse is not None
    return warehouse


def make_company(**overrides: Any) -> Company:
    n = _n()
    values: dict[str, Any] = {
        "name": f"Company {n} Sp. z o.o.",
        "street": f"ul. Testowa {n}",
        "postal_code": "60-001",
        "city": "Poznań",
        "country": "PL",
        "payment_terms_days": 14,
        "credit_limit": Decimal("10000.00"),
    }
    values.update(overrides)
    company = Company(**values)
    db.session.add(company)
    db.session.flush()
    return company


def make_user(
    *,
    role: Role = Role.BUYER,
    company: Company | None = None,
    password: str = DEFAULT_PASSWORD,
    **overrides: Any,
) -> User:
    n = _n()
    if role.is_partner and company is None:
        company = make_company()
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "name": f"User {n}",
        "role": role,
        "company_id": company.id if company is not None else None,
        "password_hash": hash_password(password) if password else None,
        "language": "en",
    }
    values.update(overrides)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    set_committed_value(user, "company", company)  # loaded, as the login query loads it
    return user


def make_address(company: Company, **overrides: Any) -> Address:
    n = _n()
    values: dict[str, Any] = {
        "company_id": company.id,
        "label": f"Site {n}",
        "recipient": company.name,
        "street": f"ul. Dostawcza {n}",
        "postal_code": "61-001",
        "city": "Poznań",
        "country": "PL",
    }
    values.update(overrides)
    address = Address(**values)
    db.session.add(address)
    db.session.flush()
    return address


def make_category(name: str | None = None, parent: Category | None = None) -> Category:
    n = _n()
    category = Category(
        name=name or f"Category {n}",
        slug=f"category-{n}",
        parent_id=parent.id if parent else None,
        path="",
    )
    db.session.add(category)
    db.session.flush()
    category.path = f"{parent.path if parent else '/'}{category.id}/"
    db.session.flush()
    return category


def make_product(**overrides: Any) -> Product:
    n = _n()
    stock = overrides.pop("stock", None)
    values: dict[str, Any] = {
        "sku": f"SKU-{n:05d}",
        "ean": None,
        "name": f"Product {n}",
        "description": "",
        "unit": Unit.PIECE,
        "pack_size": Decimal("1"),
        "min_order_quantity": Decimal("1"),
        "vat_rate_id": vat_rate("23").id,
        "list_price": Decimal("10.00"),
    }
    values.update(overrides)
    product = Product(**values)
    db.session.add(product)
    db.session.flush()
    if stock is not None:
        set_stock(product, on_hand=Decimal(stock))
    return product


def set_stock(
    product: Product,
    *,
    on_hand: Decimal,
    reserved: Decimal = Decimal("0"),
    warehouse: Warehouse | None = None,
) -> StockLevel:
    warehouse = warehouse or main_warehouse()
    level = db.session.get(StockLevel, (product.id, warehouse.id))
    if level is None:
        level = StockLevel(product_id=product.id, warehouse_id=warehouse.id)
        db.session.add(level)
    level.on_hand = Decimal(on_hand)
    level.reserved = Decimal(reserved)
    db.session.flush()
    return level


def make_price_list(name: str | None = None) -> PriceList:
    price_list = PriceList(name=name or f"List {_n()}")
    db.session.add(price_list)
    db.session.flush()
    return price_list


def add_tier(
    price_list: PriceList, product: Product, min_quantity: str, price: str
) -> PriceListTier:
    tier = PriceListTier(
        price_list_id=price_list.id,
        product_id=product.id,
        min_quantity=Decimal(min_quantity),
        price=Decimal(price),
    )
    db.session.add(tier)
    db.session.flush()
    return tier


def add_contract_price(company: Company, product: Product, price: str) -> ContractPrice:
    contract = ContractPrice(company_id=company.id, product_id=product.id, price=Decimal(price))
    db.session.add(contract)
    db.session.flush()
    return contract


def associate(product: Product, *others: Product) -> None:
    for position, other in enumerate(others):
        db.session.add(
            ProductAssociation(product_id=product.id, associated_id=other.id, position=position)
        )
    db.session.flush()


def add_photo(product: Product, key: str = "0" * 40, position: int = 0) -> ProductPhoto:
    photo = ProductPhoto(
        product_id=product.id, image_key=key, width=600, height=600, position=position
    )
    db.session.add(photo)
    db.session.flush()
    return photo


def stock_in(
    product: Product,
    quantity: Decimal | int | str,
    *,
    warehouse: Warehouse | None = None,
    lot: str = "-",
    expires_on: Any = None,
    cost: Decimal | str = "5.00",
    on: Any = None,
) -> Any:
    """Stock through the ledger: a PW with one line (the balances stay equal to the moves,
    unlike `set_stock`, which `flask stock check` would call drift). Returns the PW."""
    from datetime import date

    from portal.stock.services import InLine
    from portal.stock.services import stock_in as issue_stock_in

    return issue_stock_in(
        warehouse_id=(warehouse or main_warehouse()).id,
        lines=[InLine(product.id, Decimal(quantity), Decimal(cost), lot, expires_on)],
        on=on or date.today(),
        actor=None,
    )


def make_supplier(**overrides: Any) -> Any:
    from portal.stock.models import Supplier

    n = _n()
    values: dict[str, Any] = {"name": f"Supplier {n} Sp. z o.o.", "city": "Łódź"}
    values.update(overrides)
    supplier = Supplier(**values)
    db.session.add(supplier)
    db.session.flush()
    return supplier


def offer(supplier: Any, product: Product, price: str = "4.00", position: int = 0) -> Any:
    """The supplier sells us the product (position 0 is the preferred supplier)."""
    from portal.stock.models import SupplierProduct

    row = SupplierProduct(
        supplier_id=supplier.id,
        product_id=product.id,
        purchase_price=Decimal(price),
        position=position,
    )
    db.session.add(row)
    db.session.flush()
    return row


def delivered_order(
    buyer: User | None = None,
    *items: tuple[Product, str],
    delivered_at: Any = None,
    actor: User | None = None,
    pipeline: bool = False,
) -> tuple[Any, Any]:
    """A delivered order: placed by `buyer` (default: a new buyer of a new company), its WZ (a
    line per ordered line, from a batch received through the ledger), a shipment shipped and
    delivered at `delivered_at` (naive UTC, default now), the order in the "delivered" status.
    Items default to one product, 3 pieces. `pipeline=True` goes through the real fulfilment
    services instead (confirm, pack with label and final document, ship, deliver: ~2 s).
    Returns (the ZK, the WZ)."""
    from datetime import timedelta

    from portal.core.db import utcnow
    from portal.documents.models import Document, DocumentKind, DocumentLine
    from portal.documents.services import LineDraft, issue
    from portal.fulfilment import services as fulfilment
    from portal.fulfilment.models import Shipment
    from portal.orders.models import Step
    from portal.orders.statuses import status_for
    from portal.stock import ledger
    from tests.services.fulfilment.helpers import placed_order, receive

    buyer = buyer or make_user(role=Role.BUYER)
    items = items or ((make_product(), "3"),)
    delivered_at = delivered_at or utcnow()
    warehouse_user = actor or make_user(role=Role.STAFF)
    shipped_on = (delivered_at - timedelta(days=2)).date()
    batches = {
        product.id: receive(product, quantity, received_on=shipped_on - timedelta(days=3))
        for product, quantity in items
    }
    order = placed_order(buyer, *items)
    if pipeline:
        fulfilment.confirm(order, actor=warehouse_user)
        picks = {line.id: line.quantity for line in fulfilment.product_lines(order)}
        packed = fulfilment.pack(order, actor=warehouse_user, carrier="demo", picks=picks)
        fulfilment.mark_shipped(order, actor=warehouse_user)
        fulfilment.mark_delivered(order, actor=warehouse_user, at=delivered_at)
        return order, db.session.get_one(Document, packed.delivery_note_id)
    ordered = [
        line
        for line in db.session.scalars(
            sa.select(DocumentLine)
            .where(DocumentLine.document_id == order.id, DocumentLine.product_id.is_not(None))
            .order_by(DocumentLine.position)
        )
    ]
    warehouse_id = order.warehouse_id or main_warehouse().id
    note, rows = issue(
        DocumentKind.WZ,
        on=shipped_on,
        actor=warehouse_user,
        lines=[
            LineDraft(
                sku=line.sku,
                name=line.name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                list_price=line.list_price,
                vat_percent=line.vat_percent,
                discount=line.discount,
                product_id=line.product_id,
                source_line_id=line.id,
                batch_id=batches[line.product_id].id,
                unit_cost=batches[line.product_id].unit_cost,
            )
            for line in ordered
            if line.product_id is not None
        ],
        sources=[order],
        company_id=order.company_id,
        user_id=order.user_id,
        warehouse_id=warehouse_id,
        reference=order.number or "",
    )
    for line, row in zip(ordered, rows, strict=True):
        assert line.product_id is not None
        ledger.take(
            row,
            warehouse_id=warehouse_id,
            batch=batches[line.product_id],
            quantity=line.quantity,
            on=shipped_on,
            release_reserved=line.reserved,
        )
        line.reserved = Decimal(0)
    db.session.add(
        Shipment(
            order_id=order.id,
            delivery_note_id=note.id,
            carrier="demo",
            tracking_number=f"DEMO{note.id:08d}",
            shipped_at=delivered_at - timedelta(days=2),
            delivered_at=delivered_at,
        )
    )
    order.status_id = status_for(Step.DELIVER).id
    db.session.flush()
    return order, note
