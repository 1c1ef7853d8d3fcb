"""The partner admin's company page: users and shipping addresses."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.accounts.models import Address, Role, User
from portal.core.db import db
from portal.notifications.delivery import deliver_due
from portal.notifications.models import OutboxMessage
from tests.builders import DEFAULT_PASSWORD, make_address, make_company, make_user
from tests.smtp import smtp_server_fixture  # noqa: F401

INACTIVE = "This account is inactive. Please contact your administrator."


def make_admin(**overrides):
    return make_user(role=Role.PARTNER_ADMIN, name="Ada Admin", **overrides)


def address_form(**changes: str) -> dict[str, str]:
    return {
        "label": "Magazyn Łódź",
        "recipient": "Acme Sp. z o.o.",
        "street": "ul. Piotrkowska 1",
        "postal_code": "90-001",
        "city": "Łódź",
        "country": "PL",
        "phone": "",
        **changes,
    }


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) or 0


def logs_in(app, email: str, password: str = DEFAULT_PASSWORD):
    return app.test_client().post("/login", data={"email": email, "password": password})


# --- users ------------------------------------------------------------------------------------


def test_partner_admin_sees_the_companys_users_and_shipping_addresses(login):
    company = make_company(name="Acme Sp. z o.o.")
    admin = make_admin(company=company)
    make_user(company=company, name="Bob Buyer", email="bob@acme.example")
    make_user(company=company, name="Iga Inactive", active=False)
    make_address(company, label="Warehouse Poznań", is_default=True)
    make_address(company, label="Old depot", archived=True)
    stranger = make_company()
    make_user(company=stranger, name="Someone Else")
    make_address(stranger, label="Their warehouse")

    response = login(admin).get("/company")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Acme Sp. z o.o.</h1>" in html
    assert "Bob Buyer" in html
    assert "bob@acme.example" in html
    assert "Iga Inactive" in html
    assert "Reactivate" in html
    assert "Warehouse Poznań" in html
    assert "Old depot" not in html
    assert "Someone Else" not in html
    assert "Their warehouse" not in html


def test_partner_admin_invites_a_buyer_who_sets_a_password_and_logs_in(app, login, smtp_server):
    smtp_server.configure(app)
    company = make_company(name="Acme Sp. z o.o.")
    admin = login(make_admin(company=company))

    response = admin.post(
        "/company/users",
        data={"name": "Zofia Łęcka", "email": "Zofia@Acme.example", "role": "buyer"},
    )

    assert response.status_code == 303
    invited = db.session.scalar(sa.select(User).where(User.email == "zofia@acme.example"))
    assert invited is not None
    assert invited.company_id == company.id
    assert invited.role is Role.BUYER
    assert not invited.has_password
    assert logs_in(app, "zofia@acme.example", "any password at all").status_code == 422
    assert "Zofia Łęcka" in admin.get("/company").get_data(as_text=True)

    deliver_due()
    [mail] = smtp_server.messages
    assert mail["To"] == "zofia@acme.example"
    assert mail["Subject"] == "Ada Admin invites you to order for Acme Sp. z o.o."
    text = mail.get_body(("plain",)).get_content()
    assert "Hello Zofia Łęcka," in text
    path = re.search(r"http://portal\.test(/password/reset/\S+)", text).group(1)

    invitee = app.test_client()
    assert "zofia@acme.example" in invitee.get(path).get_data(as_text=True)
    chosen = {"password": "zofia's own secret", "confirm": "zofia's own secret"}
    assert invitee.post(path, data=chosen).status_code == 303
    assert logs_in(app, "zofia@acme.example", "zofia's own secret").status_code == 303
    assert invitee.get(path).status_code == 400


def test_an_invitation_link_outlives_the_password_reset_limit(app, login, monkeypatch):
    company = make_company()
    admin = login(make_admin(company=company))
    admin.post("/company/users", data={"name": "Zofia", "email": "z@acme.example", "role": "buyer"})
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    [message] = db.session.scalars(sa.select(OutboxMessage))
    path = re.search(r"http://portal\.test(/password/reset/\S+)", message.body_text).group(1)

    assert app.test_client().get(path).status_code == 200


def test_inviting_an_existing_email_shows_an_error_next_to_the_email_field(login):
    # Made before logging in, so the login's commit keeps it through the refused invite's
    # rollback; the admin object is not kept, so requests load it as they do in production
    # (a builder-made User in the shared session cannot reload its company after a rollback).
    existing = make_user(email="taken@acme.example", name="Already Here")
    admin = login(make_admin())

    response = admin.post(
        "/company/users", data={"name": "Newcomer", "email": "Taken@acme.example", "role": "buyer"}
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error">A user with this e-mail already exists.</p>' in html
    assert 'value="Newcomer"' in html
    assert outbox_count() == 0
    assert existing.name == "Already Here"


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, login):
    company = make_company()
    admin = login(make_admin(company=company))
    bob = make_user(company=company, name="Bob", email="bob@acme.example")
    bobs_browser = login(bob)

    response = admin.post(f"/company/users/{bob.id}/active", data={"active": "0"})

    assert response.status_code == 303
    assert "Bob is deactivated." in admin.get("/company").get_data(as_text=True)
    assert bobs_browser.get("/account").status_code == 302
    refused = logs_in(app, "bob@acme.example")
    assert refused.status_code == 422
    assert INACTIVE in refused.get_data(as_text=True)


def test_reactivated_user_can_log_in_again(app, login):
    company = make_company()
    admin = login(make_admin(company=company))
    bob = make_user(company=company, name="Bob", email="bob@acme.example", active=False)

    response = admin.post(f"/company/users/{bob.id}/active", data={"active": "1"})

    assert response.status_code == 303
    assert "Bob can log in again." in admin.get("/company").get_data(as_text=True)
    assert logs_in(app, "bob@acme.example").status_code == 303


def test_partner_admin_cannot_deactivate_themselves(login):
    admin = make_admin()
    client = login(admin)

    response = client.post(f"/company/users/{admin.id}/active", data={"active": "0"})

    assert response.status_code == 303
    assert "You cannot deactivate yourself." in client.get("/company").get_data(as_text=True)
    assert admin.active
    assert client.get("/account").status_code == 200


# --- shipping addresses -------------------------------------------------------------------------


def test_partner_admin_adds_a_shipping_address(login):
    company = make_company()
    client = login(make_admin(company=company))

    response = client.post("/company/addresses/new", data=address_form())

    assert response.status_code == 303
    [address] = db.session.scalars(sa.select(Address).where(Address.company_id == company.id))
    assert (address.label, address.postal_code, address.city) == ("Magazyn Łódź", "90-001", "Łódź")
    assert address.country == "PL"
    assert "Magazyn Łódź" in client.get("/company").get_data(as_text=True)


def test_an_invalid_address_keeps_the_input_and_shows_errors_next_to_the_fields(login):
    company = make_company()
    client = login(make_admin(company=company))

    response = client.post(
        "/company/addresses/new", data=address_form(postal_code="90001", city="", phone="call us")
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="postal_code-error">Polish postal codes look like 60-001.</p>' in html
    assert 'id="city-error">This field is required.</p>' in html
    assert 'id="phone-error">Digits only.</p>' in html
    assert 'value="90001"' in html
    assert 'value="Magazyn Łódź"' in html
    assert 'value="ul. Piotrkowska 1"' in html
    assert (
        db.session.scalars(sa.select(Address).where(Address.company_id == company.id)).all() == []
    )


def test_foreign_postal_codes_need_not_look_polish(login):
    company = make_company()
    client = login(make_admin(company=company))

    response = client.post(
        "/company/addresses/new",
        data=address_form(label="Lager Berlin", postal_code="10115", city="Berlin", country="DE"),
    )

    assert response.status_code == 303
    assert "Lager Berlin" in client.get("/company").get_data(as_text=True)


def test_partner_admin_edits_an_address(login):
    company = make_company()
    address = make_address(company, label="Old label")
    client = login(make_admin(company=company))
    form = client.get(f"/company/addresses/{address.id}")
    assert 'value="Old label"' in form.get_data(as_text=True)

    response = client.post(f"/company/addresses/{address.id}", data=address_form(label="New label"))

    assert response.status_code == 303
    assert (address.label, address.postal_code) == ("New label", "90-001")


def test_an_invalid_edit_changes_nothing(login):
    company = make_company()
    address = make_address(company, label="Old label", postal_code="61-001")
    client = login(make_admin(company=company))

    response = client.post(
        f"/company/addresses/{address.id}", data=address_form(label="New", postal_code="61 001")
    )

    assert response.status_code == 422
    assert 'id="postal_code-error">Polish postal codes look like 60-001.</p>' in (
        response.get_data(as_text=True)
    )
    assert (address.label, address.postal_code) == ("Old label", "61-001")


def test_partner_admin_removes_an_address_which_is_archived_not_deleted(login):
    company = make_company()
    address = make_address(company, label="Closed site", is_default=True)
    client = login(make_admin(company=company))

    response = client.post(f"/company/addresses/{address.id}/archive")

    assert response.status_code == 303
    assert address.archived
    assert not address.is_default
    assert "Closed site" not in client.get("/company").get_data(as_text=True)
    assert client.get(f"/company/addresses/{address.id}").status_code == 404


def test_a_new_default_address_replaces_the_previous_default(login):
    company = make_company()
    old_default = make_address(company, label="Old default", is_default=True)
    other_company_default = make_address(make_company(), is_default=True)
    client = login(make_admin(company=company))

    response = client.post(
        "/company/addresses/new", data=address_form(label="New default", is_default="y")
    )

    assert response.status_code == 303
    new_default = db.session.scalar(sa.select(Address).where(Address.label == "New default"))
    assert new_default.is_default
    assert not old_default.is_default
    assert other_company_default.is_default


def test_making_an_existing_address_the_default_unsets_the_previous_one(login):
    company = make_company()
    old_default = make_address(company, is_default=True)
    other = make_address(company)
    client = login(make_admin(company=company))

    client.post(f"/company/addresses/{other.id}", data=address_form(is_default="y"))

    assert other.is_default
    assert not old_default.is_default
