"""The company page belongs to partner admins, and only to their own company's rows."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from tests.builders import make_address, make_company, make_user


@pytest.fixture
def foreign():
    """Another company with an active user and a default address."""
    company = make_company()
    return {
        "user": make_user(company=company, name="Their Buyer"),
        "address": make_address(company, label="Their site", postal_code="61-001", is_default=True),
    }


def address_form(**changes: str) -> dict[str, str]:
    return {
        "label": "Hijacked",
        "recipient": "Evil",
        "street": "ul. Obca 1",
        "postal_code": "60-001",
        "city": "Poznań",
        "country": "PL",
        **changes,
    }


def test_partner_admin_cannot_deactivate_another_companys_user(login, foreign):
    admin = login(make_user(role=Role.PARTNER_ADMIN))

    response = admin.post(f"/company/users/{foreign['user'].id}/active", data={"active": "0"})

    assert response.status_code == 404
    assert foreign["user"].active
    assert foreign["user"].session_version == 1


def test_partner_admin_cannot_open_or_edit_another_companys_address(login, foreign):
    admin = login(make_user(role=Role.PARTNER_ADMIN))
    address = foreign["address"]

    assert admin.get(f"/company/addresses/{address.id}").status_code == 404
    response = admin.post(f"/company/addresses/{address.id}", data=address_form())

    assert response.status_code == 404
    assert (address.label, address.is_default, address.archived) == ("Their site", True, False)


def test_partner_admin_cannot_remove_another_companys_address(login, foreign):
    admin = login(make_user(role=Role.PARTNER_ADMIN))
    address = foreign["address"]

    response = admin.post(f"/company/addresses/{address.id}/archive")

    assert response.status_code == 404
    assert not address.archived
    assert address.is_default


def test_partner_admins_new_default_leaves_another_companys_default_alone(login, foreign):
    admin = login(make_user(role=Role.PARTNER_ADMIN))

    admin.post("/company/addresses/new", data=address_form(label="Mine", is_default="y"))

    assert foreign["address"].is_default


def buyer_requests(buyer_id: int, address_id: int) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("GET", "/company", {}),
        ("POST", "/company/users", {"name": "X", "email": "x@acme.example", "role": "buyer"}),
        ("POST", f"/company/users/{buyer_id}/active", {"active": "0"}),
        ("GET", "/company/addresses/new", {}),
        ("POST", "/company/addresses/new", address_form()),
        ("GET", f"/company/addresses/{address_id}", {}),
        ("POST", f"/company/addresses/{address_id}", address_form()),
        ("POST", f"/company/addresses/{address_id}/archive", {}),
    ]


def test_a_buyer_gets_403_on_every_company_page_even_for_their_own_company(login):
    company = make_company()
    colleague = make_user(company=company)
    address = make_address(company, label="Our site")
    buyer = login(make_user(company=company))

    for method, url, data in buyer_requests(colleague.id, address.id):
        response = buyer.open(url, method=method, data=data)
        assert response.status_code == 403, (method, url)

    assert colleague.active
    assert (address.label, address.archived) == ("Our site", False)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.SALES_REP])
def test_office_users_get_403_on_the_company_page(login, role):
    client = login(make_user(role=role))

    assert client.get("/company").status_code == 403
    assert client.get("/company/addresses/new").status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(client):
    response = client.get("/company")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
