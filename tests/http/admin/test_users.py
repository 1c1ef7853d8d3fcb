"""An admin manages internal users and assigns sales reps to partners."""

from __future__ import annotations

import sqlalchemy as sa

from portal.accounts.models import Company, Role, User
from portal.core.db import db
from portal.notifications.models import OutboxMessage
from tests.builders import make_company, make_user


def test_admin_invites_a_sales_rep_who_gets_a_mail_to_set_a_password(login):
    admin = login(make_user(role=Role.ADMIN, name="Ewa Admin"))
    response = admin.post(
        "/admin/users",
        data={
            "name": "Rafał Rep",
            "email": " Rafal@Portal.Example ",
            "role": "sales_rep",
            "language": "pl",
        },
    )
    assert response.status_code == 303
    rep = db.session.scalar(sa.select(User).where(User.email == "rafal@portal.example"))
    assert (rep.role, rep.company_id, rep.language, rep.password_hash) == (
        Role.SALES_REP,
        None,
        "pl",
        None,
    )
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient == rep.email))
    assert mail.template == "admin/invitation"
    assert "/password/reset/" in mail.body_text

    again = admin.post(
        "/admin/users",
        data={"name": "X", "email": "rafal@portal.example", "role": "staff", "language": "en"},
    )
    assert again.status_code == 422
    assert "A user with this e-mail already exists." in again.get_data(as_text=True)


def test_admin_searches_changes_a_role_and_deactivates(login):
    admin_user = make_user(role=Role.ADMIN)
    admin = login(admin_user)
    staff = make_user(role=Role.STAFF, name="Zofia Magazyn", email="zofia@portal.example")
    buyer = make_user(name="Bartek Buyer")

    html = admin.get("/admin/users?q=zofia").get_data(as_text=True)
    assert "Zofia Magazyn" in html and "Bartek Buyer" not in html
    assert "Bartek Buyer" in admin.get("/admin/users?role=buyer&q=bartek").get_data(as_text=True)

    assert admin.post(f"/admin/users/{staff.id}/role", data={"role": "admin"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, staff.id).role is Role.ADMIN

    admin.post(f"/admin/users/{buyer.id}/role", data={"role": "staff"})
    db.session.expire_all()
    assert db.session.get(User, buyer.id).role is Role.BUYER, "partner users stay partners"

    admin.post(f"/admin/users/{admin_user.id}/role", data={"role": "staff"})
    admin.post(f"/admin/users/{admin_user.id}/active", data={"active": "0"})
    db.session.expire_all()
    me = db.session.get(User, admin_user.id)
    assert (me.role, me.active) == (Role.ADMIN, True), "admins cannot lock themselves out"

    assert admin.post(f"/admin/users/{staff.id}/active", data={"active": "0"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, staff.id).active is False


def test_admin_assigns_a_sales_rep_to_a_partner(login):
    admin = login(make_user(role=Role.ADMIN))
    rep = make_user(role=Role.SALES_REP, name="Rafał Rep")
    company = make_company(name="Acme Hinges")

    page = admin.get("/admin/partners?q=acme").get_data(as_text=True)
    assert "Acme Hinges" in page and "Rafał Rep" in page

    assert (
        admin.post(
            f"/admin/partners/{company.id}/rep", data={"sales_rep_id": str(rep.id)}
        ).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Company, company.id).sales_rep_id == rep.id

    not_a_rep = make_user(role=Role.STAFF)
    admin.post(f"/admin/partners/{company.id}/rep", data={"sales_rep_id": str(not_a_rep.id)})
    db.session.expire_all()
    assert db.session.get(Company, company.id).sales_rep_id == rep.id

    admin.post(f"/admin/partners/{company.id}/rep", data={"sales_rep_id": ""})
    db.session.expire_all()
    assert db.session.get(Company, company.id).sales_rep_id is None
