"""Errors are friendly, logged, and never show a stack trace."""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from portal import create_app
from portal.accounts.models import Role
from portal.config import ConfigError
from tests.builders import make_user
from tests.conftest import app_config


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "We can't find that page" in response.get_data(as_text=True)


def test_api_and_json_clients_get_json_errors(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {"status": 404, "message": response.get_json()["error"]["message"]}
    }
    response = client.get("/nothing", headers={"Accept": "application/json"})
    assert response.get_json()["error"]["status"] == 404


def test_a_crash_shows_a_friendly_page_and_logs_the_trace(app: Flask, tmp_path, caplog):
    crashing = create_app(app_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"]))

    @crashing.get("/__boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    with caplog.at_level(logging.ERROR, logger="portal"):
        response = crashing.test_client().get("/__boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html and "Traceback" not in html
    assert "secret internals" in caplog.text and "Traceback" in caplog.text
    with crashing.app_context():
        from portal.core.db import db

        db.engine.dispose()


def test_each_request_is_logged_on_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/healthz", headers={"X-Request-ID": "req-42"})
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.request"]
    assert len(lines) == 1
    assert (
        "request_id=req-42" in lines[0] and "method=GET" in lines[0] and "path=/healthz" in lines[0]
    )
    assert "status=200" in lines[0] and "duration_ms=" in lines[0] and "user=-" in lines[0]


def test_staff_areas_answer_403_to_partners(login):
    client = login(make_user(role=Role.BUYER))
    assert client.get("/office").status_code == 403
    assert client.get("/admin").status_code == 403
    assert "This area is not for your account" in client.get("/admin/settings").get_data(
        as_text=True
    )


def test_staff_are_not_admins(login):
    client = login(make_user(role=Role.STAFF))
    assert client.get("/office").status_code == 200
    assert client.get("/admin").status_code == 403


def test_production_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = app_config(
        tmp_path, f"sqlite:///{tmp_path / 'x.db'}", ENV_NAME="production", SECRET_KEY=None
    )
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(config)


def test_forms_and_htmx_writes_need_a_csrf_token(tmp_path, app):
    strict = create_app(
        app_config(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    )
    client = strict.test_client()
    response = client.post("/login", data={"email": "a@b.example", "password": "x"})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    html = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert '"X-CSRFToken"' in html  # htmx sends it as a header on every request
    with strict.app_context():
        from portal.core.db import db

        db.engine.dispose()


def test_an_absurd_id_in_a_url_is_a_404_not_a_database_error(client, login):
    login(make_user(role=Role.BUYER))
    for path in ("/orders/99999999999999999999999", "/documents/18446744073709551616"):
        assert client.get(path).status_code == 404
