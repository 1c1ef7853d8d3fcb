"""A partner admin gives buyers spending limits; orders above them wait for approval."""

from __future__ import annotations

from decimal import Decimal

from portal.accounts.models import Role, User
from portal.core.db import db
from tests.builders import make_company, make_user


def test_partner_admin_sets_and_clears_a_buyers_limits(login):
    company = make_company()
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)
    buyer = make_user(company=company, name="Bartek")
    client = login(admin)
    assert "Limits" in client.get("/company").get_data(as_text=True)
    response = client.post(
        f"/company/users/{buyer.id}/limits",
        data={"order_limit": "5 000,50", "monthly_limit": "20000"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(User, buyer.id)
    assert (stored.order_limit, stored.monthly_limit) == (Decimal("5000.50"), Decimal("20000.00"))
    client.post(f"/company/users/{buyer.id}/limits", data={"order_limit": "", "monthly_limit": ""})
    db.session.expire_all()
    stored = db.session.get(User, buyer.id)
    assert (stored.order_limit, stored.monthly_limit) == (None, None)


def test_bad_limits_are_refused_and_nothing_changes(login):
    company = make_company()
    admin = make_user(role=Role.PARTNER_ADMIN, company=company)
    buyer = make_user(company=company, order_limit=Decimal("100.00"))
    db.session.commit()
    client = login(admin)
    for bad in ("lots", "-5", "1.005"):
        client.post(f"/company/users/{buyer.id}/limits", data={"order_limit": bad})
        db.session.expire_all()
        assert db.session.get(User, buyer.id).order_limit == Decimal("100.00"), bad


def test_limits_of_another_company_or_by_a_buyer_are_refused(login):
    admin = make_user(role=Role.PARTNER_ADMIN, company=make_company())
    stranger = make_user(company=make_company())
    assert (
        login(admin)
        .post(f"/company/users/{stranger.id}/limits", data={"order_limit": "1"})
        .status_code
        == 404
    )
    colleague = make_user(company=admin.company)
    buyer = make_user(company=admin.company)
    response = login(buyer).post(f"/company/users/{colleague.id}/limits", data={"order_limit": "1"})
    assert response.status_code == 403
