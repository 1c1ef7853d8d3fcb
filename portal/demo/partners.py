"""The demo partners: Acme, Globex and Kowalski, their addresses and the seven demo logins."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import Address, Company, Invoicing, Role, User
from portal.accounts.passwords import hash_password
from portal.accounts.taxids import parse_tax_id
from portal.core.db import db
from portal.demo.bulk import Row, insert, next_id, table
from portal.demo.cli import DEMO_PASSWORD


def add_partners(*, now: datetime, price_list_id: int, warehouse_id: int) -> dict[str, int]:
    """The three companies, their addresses and the seven demo users; returns company ids."""
    first = next_id(Company)
    ids = {"acme": first, "globex": first + 1, "kowalski": first + 2}
    common = {"warehouse_id": warehouse_id, "active": True, "sales_rep_id": None}
    acme_nip = parse_tax_id("525-100-45-64")
    globex_vat = parse_tax_id("DE136695976")
    companies: list[Row] = [
        {
            **common,
            "id": ids["acme"],
            "name": "Acme Sp. z o.o.",
            "tax_id": acme_nip.number,
            "tax_country": acme_nip.country,
            "email": "biuro@acme.example",
            "phone": "+48 22 555 01 10",
            "street": "ul. Prosta 51",
            "postal_code": "00-838",
            "city": "Warszawa",
            "country": "PL",
            "payment_terms_days": 14,
            "credit_limit": Decimal("150000.00"),
            "default_discount": Decimal("5.00"),
            "price_list_id": price_list_id,
            "invoicing": Invoicing.PER_DELIVERY,
            "created_at": now - timedelta(days=640),
        },
        {
            **common,
            "id": ids["globex"],
            "name": "Globex GmbH",
            "tax_id": globex_vat.number,
            "tax_country": globex_vat.country,
            "email": "einkauf@globex.example",
            "phone": "+49 30 555 02 20",
            "street": "Friedrichstraße 68",
            "postal_code": "10117",
            "city": "Berlin",
            "country": "DE",
            "payment_terms_days": 30,
            "credit_limit": Decimal("80000.00"),
            "default_discount": Decimal("8.00"),
            "price_list_id": None,
            "invoicing": Invoicing.MONTHLY,
            "created_at": now - timedelta(days=410),
        },
        {
            **common,
            "id": ids["kowalski"],
            "name": "Kowalski Hurt-Detal Jan Kowalski",
            "tax_id": None,
            "tax_country": None,
            "email": "sklep@kowalski.example",
            "phone": "+48 12 555 03 30",
            "street": "ul. Wielicka 28",
            "postal_code": "30-552",
            "city": "Kraków",
            "country": "PL",
            "payment_terms_days": 0,
            "credit_limit": Decimal("0.00"),
            "default_discount": Decimal("0.00"),
            "price_list_id": None,
            "invoicing": Invoicing.PER_DELIVERY,
            "created_at": now - timedelta(days=180),
        },
    ]
    insert(Company, companies)
    _add_addresses(ids, now=now)
    rep_id = _add_users(ids, now=now)
    companies_table = table(Company)
    db.session.execute(
        sa.update(companies_table)
        .where(companies_table.c.id.in_(ids.values()))
        .values(sales_rep_id=rep_id)
    )
    return ids


def _add_addresses(ids: dict[str, int], *, now: datetime) -> None:
    """Shipping addresses, the first of each company its default."""
    first = next_id(Address)
    rows = [
        _address(first, ids["acme"], "Magazyn Okęcie", "ul. Sasanki 6", "02-230 Warszawa"),
        _address(first + 1, ids["acme"], "Biuro", "ul. Prosta 51", "00-838 Warszawa"),
        _address(first + 2, ids["globex"], "Lager Spandau", "Am Juliusturm 14", "13599 Berlin"),
        _address(first + 3, ids["globex"], "Leipzig", "Torgauer Straße 231", "04347 Leipzig"),
        _address(first + 4, ids["kowalski"], "Sklep", "ul. Wielicka 28", "30-552 Kraków"),
    ]
    recipients = {
        ids["acme"]: "Acme Sp. z o.o.",
        ids["globex"]: "Globex GmbH",
        ids["kowalski"]: "Kowalski Hurt-Detal Jan Kowalski",
    }
    seen: set[int] = set()
    for row in rows:
        row["recipient"] = recipients[row["company_id"]]
        row["country"] = "DE" if row["company_id"] == ids["globex"] else "PL"
        row["is_default"] = row["company_id"] not in seen
        row["created_at"] = now - timedelta(days=170)
        seen.add(row["company_id"])
    insert(Address, rows)


def _address(address_id: int, company_id: int, label: str, street: str, town: str) -> Row:
    postal_code, city = town.split(" ", 1)
    return {
        "id": address_id,
        "company_id": company_id,
        "label": label,
        "street": street,
        "postal_code": postal_code,
        "city": city,
        "phone": None,
        "archived": False,
    }


def _add_users(company_ids: dict[str, int], *, now: datetime) -> int:
    """The demo logins of DEMO_LOGINS; returns the sales rep's id."""
    password_hash = hash_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash once
    people: list[tuple[str, str, Role, str | None, str, Decimal | None]] = [
        ("admin@demo.example", "Anna Administratorka", Role.ADMIN, None, "en", None),
        ("staff@demo.example", "Piotr Magazynier", Role.STAFF, None, "en", None),
        ("rep@demo.example", "Robert Handlowiec", Role.SALES_REP, None, "en", None),
        ("owner@acme.example", "Olga Właścicielka", Role.PARTNER_ADMIN, "acme", "pl", None),
        ("buyer@acme.example", "Bartek Zakupowy", Role.BUYER, "acme", "pl", Decimal("50000.00")),
        ("buyer@globex.example", "Greta Einkauf", Role.BUYER, "globex", "de", None),
        ("buyer@kowalski.example", "Jan Kowalski", Role.BUYER, "kowalski", "pl", None),
    ]
    first = next_id(User)
    rows: list[Row] = [
        {
            "id": first + offset,
            "email": email.lower(),
            "name": name,
            "password_hash": password_hash,
            "role": role,
            "company_id": company_ids[company] if company else None,
            "language": language,
            "phone": None,
            "active": True,
            "order_limit": None,
            "monthly_limit": monthly_limit,
            "session_version": 1,
            "last_login_at": None,
            "created_at": now - timedelta(days=170 - offset),
        }
        for offset, (email, name, role, company, language, monthly_limit) in enumerate(people)
    ]
    insert(User, rows)
    return first + [person[2] for person in people].index(Role.SALES_REP)
