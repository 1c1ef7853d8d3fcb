"""Tenancy: another company's record id in any URL answers 404, like a missing one.

The walk covers every rule of the URL map that takes an id, so a new route without a case
here fails this test until someone decides what a foreign id should get there.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

from portal.accounts.models import Role
from tests.builders import make_address, make_company, make_product, make_user

STAFF_AREAS = ("/office", "/admin", "/rep/")


def foreign_order(company):
    from tests.services.orders.helpers import fill_cart, place

    buyer = make_user(role=Role.BUYER, company=company)
    fill_cart(buyer, (make_product(stock=5), "1"))
    return place(buyer)


def foreign_shipment(company):
    """A packed order of another company: its shipment (and label) id."""
    from decimal import Decimal

    from portal.fulfilment import services
    from tests.services.fulfilment.helpers import placed_order, receive, staff

    product = make_product()
    receive(product, 1)
    order = placed_order(make_user(role=Role.BUYER, company=company), (product, "1"))
    warehouse = staff()
    services.confirm(order, actor=warehouse)
    picks = {line.id: Decimal(1) for line in services.product_lines(order)}
    return services.pack(order, actor=warehouse, carrier="demo", picks=picks).id


def foreign_cart_and_list(company):
    """A cart line of another company's buyer, and one of that company's order lists."""
    from decimal import Decimal

    import sqlalchemy as sa

    from portal.cart.models import CartLine
    from portal.cart.queries import order_list_lines
    from portal.cart.services import add_to_cart, cart_of, create_list
    from portal.core.db import db

    buyer = make_user(role=Role.BUYER, company=company)
    product = make_product()
    add_to_cart(buyer, product, Decimal(1))
    their_list = create_list(buyer, "Their restock", [(product.id, Decimal(2))])
    return {
        "line_id": db.session.scalar(
            sa.select(CartLine.id).where(CartLine.cart_id == cart_of(buyer).id)
        ),
        "list_id": their_list.id,
        "list_line_id": order_list_lines(their_list)[0].id,
    }


def foreign_documents(company):
    """Another company's invoice with a partner-visible attachment, and its payment (KP)."""
    from datetime import date
    from decimal import Decimal

    from portal.documents.attachments import attach
    from portal.documents.models import DocumentKind
    from portal.payments.models import PaymentChannel
    from portal.payments.services import record_payment
    from tests.services.documents.helpers import invoice

    staff = make_user(role=Role.STAFF)
    bill = invoice(company)
    attachment = attach(bill, filename="t.txt", data=b"theirs", internal=False, actor=staff)
    payment = record_payment(
        DocumentKind.KP,
        company,
        Decimal("1.00"),
        on=date(2026, 11, 2),
        channel=PaymentChannel.BANK_TRANSFER,
        actor=staff,
        allocations=[(bill, Decimal("1.00"))],
    )
    return {"document_id": bill.id, "attachment_id": attachment.id, "payment_id": payment.id}


def foreign_rma(company):
    """Another company's RMA (a return from its delivered order)."""
    from tests.builders import delivered_order
    from tests.services.returns.helpers import claim, file_return, wz_lines

    buyer = make_user(role=Role.BUYER, company=company)
    _order, note = delivered_order(buyer)
    return file_return(buyer, claim(wz_lines(note)[0])).id


@pytest.fixture
def world():
    mine = make_company(name="Mine")
    theirs = make_company(name="Theirs")
    admin = make_user(role=Role.PARTNER_ADMIN, company=mine)
    return {
        "actor": admin,
        "buyer": make_user(role=Role.BUYER, company=mine),
        "ids": {
            "user_id": make_user(role=Role.BUYER, company=theirs).id,
            "address_id": make_address(theirs).id,
            "message_id": 1,
            "order_id": foreign_order(theirs).id,
            "shipment_id": foreign_shipment(theirs),
            "document_id": foreign_order(theirs).id,  # any document of theirs
            "product_id": make_product().id,  # staff-only routes: products belong to nobody
            "stocktake_id": 1,  # staff-only routes
            "rule_id": 1,  # admin-only routes: final-document rules belong to nobody
            "status_id": 1,  # admin-only routes: order statuses belong to nobody
            "reason_id": 1,  # admin-only routes: reason codes belong to nobody
            "company_id": theirs.id,  # /rep/partners and /admin/partners: staff-only
            "rma_id": foreign_rma(theirs),
            "photo_id": 1,  # only under /returns/<rma_id>/: the RMA decides
            **foreign_cart_and_list(theirs),
            **foreign_documents(theirs),
        },
    }


def id_rules(app):
    for rule in app.url_map.iter_rules():
        names = [
            name
            for name, converter in rule._converters.items()
            if isinstance(converter, IntegerConverter)
        ]
        if names:
            yield rule, names


def test_every_route_with_an_id_hides_other_companies_records(app, login, world):
    partner_admin = login(world["actor"])
    buyer = login(world["buyer"])
    checked = 0
    for rule, names in id_rules(app):
        missing = [name for name in names if name not in world["ids"]]
        assert not missing, f"{rule.rule}: add a foreign id for {missing} to this test"
        url = rule.rule
        for name in names:
            url = re.sub(rf"<int:{name}>", str(world["ids"][name]), url)
        expected = 403 if url.startswith(STAFF_AREAS) else 404
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for client in (partner_admin, buyer):
                response = client.open(url, method=method, data={"active": "0", "label": "x"})
                allowed = {expected} if client is partner_admin else {expected, 403}
                assert response.status_code in allowed, f"{method} {url}: {response.status_code}"
                checked += 1
    assert checked >= 150  # every id route of every area, both partner roles


def test_foreign_user_is_untouched_after_the_walk(app, login, world):
    from portal.accounts.models import User
    from portal.core.db import db

    login(world["actor"]).post(
        f"/company/users/{world['ids']['user_id']}/active", data={"active": "0"}
    )
    db.session.expire_all()
    assert db.session.get(User, world["ids"]["user_id"]).active is True
