from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

import pytest

from portal.accounts.models import Role
from tests.builders import DEFAULT_PASSWORD, make_company, make_user

WRONG_CREDENTIALS = "Wrong e-mail or password."
INACTIVE = "This account is inactive. Please contact your administrator."


def test_login_page_has_labelled_fields_and_button(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="email">E-mail</label>' in html
    assert '<label for="password">Password</label>' in html
    assert ">Log in</button>" in html


def test_buyer_logs_in_with_any_case_of_email_and_lands_in_the_catalog(client):
    buyer = make_user(role=Role.BUYER, email="anna@acme.example")
    response = client.post(
        "/login", data={"email": "  Anna@ACME.example ", "password": DEFAULT_PASSWORD}
    )
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


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    make_user(email="anna@acme.example")

    wrong_password = client.post("/login", data={"email": "anna@acme.example", "password": "x"})
    unknown = client.post("/login", data={"email": "nobody@acme.example", "password": "x"})

    assert unknown.status_code == wrong_password.status_code == 422
    assert WRONG_CREDENTIALS in unknown.get_data(as_text=True)
    assert INACTIVE not in unknown.get_data(as_text=True)


def test_inactive_user_cannot_log_in_and_is_told_why(client):
    make_user(email="anna@acme.example", active=False)

    response = client.post(
        "/login", data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 422
    assert INACTIVE in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_user_of_an_inactive_company_cannot_log_in(client):
    company = make_company(active=False)
    make_user(email="anna@acme.example", company=company)

    response = client.post(
        "/login", data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 422
    assert INACTIVE in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_remember_me_keeps_the_buyer_logged_in_after_the_browser_session_ends(client):
    make_user(email="anna@acme.example")

    response = client.post(
        "/login",
        data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD, "remember": "y"},
    )

    assert response.status_code == 303
    assert client.get_cookie("remember_token") is not None
    client.delete_cookie("session")  # the browser closes; the remember cookie stays
    assert client.get("/account").status_code == 200


def test_without_remember_me_the_login_lasts_only_for_the_browser_session(client):
    make_user(email="anna@acme.example")

    client.post("/login", data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD})

    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert client.get("/account").status_code == 302


def test_logout_ends_the_session(login):
    client = login(make_user())

    response = client.post("/logout")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    account = client.get("/account")
    assert account.status_code == 302
    assert "/login" in account.headers["Location"]


def test_logout_by_a_link_is_refused_and_keeps_the_user_logged_in(login):
    client = login(make_user())

    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200


def test_logout_also_forgets_a_remembered_login(client):
    make_user(email="anna@acme.example")
    client.post(
        "/login",
        data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD, "remember": "y"},
    )

    client.post("/logout")

    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "https:evil.example", "evil.example"]
)
def test_login_does_not_follow_a_next_link_to_another_site(client, target):
    make_user(email="anna@acme.example")

    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/catalog"


def read_by_a_browser(location: str) -> SplitResult:
    """Browsers read a backslash as a slash and drop tabs and newlines from URLs."""
    for dropped in "\t\r\n":
        location = location.replace(dropped, "")
    return urlsplit(location.replace("\\", "/"))


@pytest.mark.parametrize("target", ["/\\evil.example/", "/\t/evil.example/", "/\\/evil.example/"])
def test_login_does_not_follow_a_next_path_that_a_browser_reads_as_another_site(client, target):
    make_user(email="anna@acme.example")

    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 303
    followed = read_by_a_browser(response.headers["Location"])
    assert (followed.scheme, followed.netloc) == ("", "")


def test_login_follows_a_next_link_within_the_portal(client):
    make_user(email="anna@acme.example")
    form = client.get("/login", query_string={"next": "/catalog?page=2"}).get_data(as_text=True)
    assert 'action="/login?next=/catalog?page%3D2"' in form

    response = client.post(
        "/login?next=/catalog?page%3D2",
        data={"email": "anna@acme.example", "password": DEFAULT_PASSWORD},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/catalog?page=2"


def test_staff_land_in_the_office(client):
    staff = make_user(role=Role.STAFF)

    response = client.post("/login", data={"email": staff.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 303
    assert response.headers["Location"] == "/office"
