"""Forgotten passwords: a link by e-mail (through a real SMTP server) that works once."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.core.db import db
from portal.notifications.delivery import deliver_due
from portal.notifications.models import OutboxMessage
from tests.builders import DEFAULT_PASSWORD, make_user
from tests.smtp import smtp_server_fixture  # noqa: F401

NEW_PASSWORD = "a brand new secret"
LINK_GONE = "This link no longer works"


def reset_link_for(client, smtp_server, email: str) -> str:
    """Asks for a reset and returns the path of the link in the mail that arrives."""
    client.post("/password/reset", data={"email": email})
    deliver_due()
    [mail] = smtp_server.messages
    assert mail["To"] == email
    match = re.search(
        r"http://portal\.test(/password/reset/\S+)", mail.get_body(("plain",)).get_content()
    )
    assert match, "the mail should carry a link to PUBLIC_URL"
    return match.group(1)


def choose(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "confirm": password})


def logs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 303


def test_user_resets_a_forgotten_password_through_the_emailed_link(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example", name="Anna Zając")

    confirmation = client.post("/password/reset", data={"email": "Anna@acme.example"})
    assert confirmation.status_code == 200
    assert "Check your e-mail" in confirmation.get_data(as_text=True)
    deliver_due()
    [mail] = smtp_server.messages
    assert mail["To"] == "anna@acme.example"
    assert mail["Subject"] == "Set a new password"
    text = mail.get_body(("plain",)).get_content()
    assert "Hello Anna Zając," in text
    path = re.search(r"http://portal\.test(/password/reset/\S+)", text).group(1)
    assert f'href="http://portal.test{path}"' in mail.get_body(("html",)).get_content()

    form = client.get(path)
    assert form.status_code == 200
    assert "Set your password" in form.get_data(as_text=True)
    assert "anna@acme.example" in form.get_data(as_text=True)

    saved = choose(client, path)
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith("/login")

    assert logs_in(app, "anna@acme.example", NEW_PASSWORD)
    assert not logs_in(app, "anna@acme.example", DEFAULT_PASSWORD)


def test_a_reset_link_works_only_once(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example")
    path = reset_link_for(client, smtp_server, "anna@acme.example")
    assert choose(client, path).status_code == 303

    again = client.get(path)
    replayed = choose(client, path, "somebody else's password")

    assert again.status_code == 400
    assert LINK_GONE in again.get_data(as_text=True)
    assert replayed.status_code == 400
    assert logs_in(app, "anna@acme.example", NEW_PASSWORD)


def test_an_expired_reset_link_is_refused(app, client, smtp_server, monkeypatch):
    smtp_server.configure(app)
    make_user(email="anna@acme.example")
    path = reset_link_for(client, smtp_server, "anna@acme.example")

    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)  # any age is too old now

    assert client.get(path).status_code == 400
    refused = choose(client, path)
    assert refused.status_code == 400
    assert LINK_GONE in refused.get_data(as_text=True)
    assert logs_in(app, "anna@acme.example", DEFAULT_PASSWORD)


def test_a_tampered_reset_link_is_refused(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example")
    path = reset_link_for(client, smtp_server, "anna@acme.example")

    response = client.get(path + "x")

    assert response.status_code == 400


def test_unknown_email_gets_the_same_confirmation_and_no_mail(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example")

    known = client.post("/password/reset", data={"email": "anna@acme.example"})
    unknown = client.post("/password/reset", data={"email": "nobody@acme.example"})

    assert unknown.status_code == known.status_code == 200
    assert "Check your e-mail" in unknown.get_data(as_text=True)
    assert deliver_due() == (1, 0)
    assert [mail["To"] for mail in smtp_server.messages] == ["anna@acme.example"]


def test_an_inactive_user_gets_no_reset_mail(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example", active=False)

    response = client.post("/password/reset", data={"email": "anna@acme.example"})

    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    deliver_due()
    assert smtp_server.messages == []


def test_differing_new_passwords_are_refused_and_the_link_still_works(app, client, smtp_server):
    smtp_server.configure(app)
    make_user(email="anna@acme.example")
    path = reset_link_for(client, smtp_server, "anna@acme.example")

    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": "something else"})

    assert response.status_code == 422
    assert 'id="confirm-error">The passwords differ.</p>' in response.get_data(as_text=True)
    assert choose(client, path).status_code == 303


def test_a_new_password_logs_the_user_out_everywhere_else(app, client, smtp_server, login):
    smtp_server.configure(app)
    user = make_user(email="anna@acme.example")
    elsewhere = login(user)
    path = reset_link_for(client, smtp_server, "anna@acme.example")

    choose(client, path)

    assert elsewhere.get("/account").status_code == 302
