"""Failed logins pause logging in, per account and per client address."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts.models import LoginFailure
from portal.core.db import db, utcnow
from tests.builders import DEFAULT_PASSWORD, make_user

THROTTLED = "Too many failed logins."


def attempt(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(client):
    make_user(email="anna@acme.example")
    for _ in range(5):
        assert attempt(client, "anna@acme.example", "guess").status_code == 422

    response = attempt(client, "anna@acme.example", DEFAULT_PASSWORD)

    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert THROTTLED in html
    assert "paused for 15 minutes" in html
    assert client.get("/account").status_code == 302


def test_the_fifth_failure_is_still_answered_normally(client):
    make_user(email="anna@acme.example")
    for _ in range(4):
        attempt(client, "anna@acme.example", "guess")

    response = attempt(client, "anna@acme.example", "guess")

    assert response.status_code == 422
    assert "Wrong e-mail or password." in response.get_data(as_text=True)


def test_successful_logins_never_count_as_failures(app, client):
    make_user(email="anna@acme.example")
    for _ in range(4):
        attempt(client, "anna@acme.example", "guess")
    for _ in range(3):
        assert attempt(app.test_client(), "anna@acme.example", DEFAULT_PASSWORD).status_code == 303

    assert attempt(client, "anna@acme.example", "guess").status_code == 422
    assert attempt(client, "anna@acme.example", DEFAULT_PASSWORD).status_code == 429


def test_failures_for_one_account_do_not_lock_out_another(client):
    make_user(email="anna@acme.example")
    make_user(email="bart@acme.example")
    for _ in range(5):
        attempt(client, "anna@acme.example", "guess")

    assert attempt(client, "bart@acme.example", DEFAULT_PASSWORD).status_code == 303


def test_failures_from_one_address_pause_logins_from_it_for_every_account(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    make_user(email="anna@acme.example")
    for name in ("x", "y", "z"):
        attempt(app.test_client(), f"{name}@acme.example", "guess", address="10.0.0.66")

    from_there = attempt(app.test_client(), "anna@acme.example", DEFAULT_PASSWORD, "10.0.0.66")
    elsewhere = attempt(app.test_client(), "anna@acme.example", DEFAULT_PASSWORD, "10.0.0.7")

    assert from_there.status_code == 429
    assert THROTTLED in from_there.get_data(as_text=True)
    assert elsewhere.status_code == 303


def test_failures_older_than_the_window_no_longer_count(client):
    make_user(email="anna@acme.example")
    long_ago = utcnow() - timedelta(minutes=16)
    db.session.add_all(
        LoginFailure(email="anna@acme.example", address="127.0.0.1", created_at=long_ago)
        for _ in range(5)
    )
    db.session.flush()

    assert attempt(client, "anna@acme.example", DEFAULT_PASSWORD).status_code == 303
