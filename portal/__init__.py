"""The B2B ordering portal: create_app() builds the Flask application."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from portal import config as config_module
from portal.core.db import configure_sqlite, db, watch_request_writes
from portal.core.errors import register_error_handlers
from portal.core.requestlog import configure_logging
from portal.extensions import babel, csrf, login_manager, migrate


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=str(config_module.INSTANCE_DIR),
    )
    app.config.update(config_module.from_environment())
    app.config.update(overrides or {})
    config_module.check(app.config)

    configure_logging(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
    watch_request_writes(app)
    migrate.init_app(app, db, directory=str(config_module.PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    _configure_login(app)

    from portal import models, views_registry

    assert models.__all__  # every table is known to the metadata before anything runs

    app.url_map.converters["int"] = DatabaseId
    views_registry.register(app)
    register_error_handlers(app)
    _security_headers(app)
    return app


class DatabaseId(IntegerConverter):
    """`<int:...>` in a URL: a 64-bit id at most, so an absurd number is a 404 like any
    missing id instead of an integer the database refuses (a 500 on PostgreSQL)."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**63 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _select_locale() -> str | None:
    languages: list[str] = __import__("flask").current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return request.accept_languages.best_match(languages) if request else None


def _configure_login(app: Flask) -> None:
    from portal.accounts.queries import user_for_session
    from portal.core.i18n import lazy_gettext as _l

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = app.config["SESSION_PROTECTION"]
    login_manager.user_loader(user_for_session)


def _security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; "
            # "Pay by card" posts a form that is redirected to Stripe's hosted Checkout page.
            "form-action 'self' https://checkout.stripe.com",
        )
        return response
