"""Fixtures shared by the whole suite.

The database is real: a SQLite file per run, or PostgreSQL when DATABASE_URL names one (CI's
second stage). Migrations run once per run; each test is rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from hypothesis import settings

from portal import create_app
from portal.core.db import db
from tests.builders import DEFAULT_PASSWORD

CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

settings.register_profile("ci", max_examples=40, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def database_url(tmp: Path, name: str = "test.db") -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp / name}"


def app_config(tmp: Path, url: str, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "ENV_NAME": "test",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": url,
        "MEDIA_ROOT": str(tmp / "media"),
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "MAIL_SERVER": "",
        "WTF_CSRF_ENABLED": False,
        "ARGON2_PARAMETERS": CHEAP_ARGON2,
        "PUBLIC_URL": "http://portal.test",
        "SESSION_PROTECTION": "basic",
        "CATALOG_COUNT_CACHE_SECONDS": 0,
    }
    config.update(extra)
    return config


def migrate_to_head(app: Flask) -> None:
    import flask_migrate

    with app.app_context():
        flask_migrate.upgrade()


class BufferedClient(FlaskClient):
    """A test client that reads each response whole and closes it, as a browser does. An
    unclosed response (a photo sent from its file) leaves the file to the garbage collector,
    whose ResourceWarning then fails whichever test happens to be running."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:
        return super().open(*args, buffered=buffered, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("portal")
    application = create_app(app_config(tmp, database_url(tmp)))
    application.test_client_class = BufferedClient
    migrate_to_head(application)

    @application.before_request
    def fresh_state() -> None:
        # Requests share the test's app context, so its session: start each request from
        # the database as a production request would, not from objects the test built.
        db.session.expire_all()
        g.pop("_login_user", None)  # Flask-Login caches the user on the shared g,
        g.pop("_flask_babel", None)  # and Flask-Babel the locale

    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def rolled_back(request: pytest.FixtureRequest) -> Iterator[None]:
    """App commits become savepoints; Flask-SQLAlchemy ignores Session(bind=...)."""
    if "live_app" in request.fixturenames or request.node.get_closest_marker("no_rollback"):
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        with engine.connect() as connection:
            outer = connection.begin()
            engines[None] = connection  # type: ignore[assignment]
            try:
                yield
            finally:
                db.session.remove()
                outer.rollback()
                engines[None] = engine


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class LoggedIn:
    """Logs users in through the real login form."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __call__(self, user: Any, password: str = DEFAULT_PASSWORD) -> FlaskClient:
        client = self.app.test_client()
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return client


@pytest.fixture
def login(app: Flask) -> LoggedIn:
    return LoggedIn(app)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    with app.app_context():
        engine = db.engines[None]
        target = engine.engine if isinstance(engine, sa.Connection) else engine
    sa.event.listen(target, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        sa.event.remove(target, "before_cursor_execute", counter)


@pytest.fixture
def isolated_database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own for tests that commit for real: a SQLite file, or a schema of
    its own on the PostgreSQL server that DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'isolated.db'}"
        return
    schema = f"isolated_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        engine.dispose()
