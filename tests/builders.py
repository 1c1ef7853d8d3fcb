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
