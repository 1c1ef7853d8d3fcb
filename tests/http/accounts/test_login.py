from __future__ import annotations

from portal.accounts.models import Role
from tests.builders import DEFAULT_PASSWORD, make_user


def test_login_page_has_labelled_fields_and_button(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">E-mail</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Log in</button>" in html


def test_buyer_logs_in_with_any_case_of_email_and_lands_in_the_catalog(client):
    buyer = make_user(role=Role.BUYER, email="anna@acme.example")
    response = client.post("/login", data={"email": "  Anna@ACME.example ", "password": DEFAULT_PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/catalog")
    assert buyer.last_login_at is not None


def test_wrong_password_shows_an_error_and_keeps_the_email(client):
    make_user(email="anna@acme.example")
    response = client.post("/login", data={"email": "anna@acme.example", "password": "nope"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Wrong e-mail or password." in html
    assert 'value="anna@acme.example"' in html
