"""Jinja filters and globals: money, quantities, dates and navigation."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

CURRENCY = "PLN"


def money(value: Decimal | None) -> str:
    """'PLN 1,234.50' in English, '1 234,50 zł' in Polish, '1.234,50 PLN' in German."""
    if value is None:
        return ""
    if str(get_locale() or "en").startswith("en"):
        return format_currency(value, CURRENCY, format="¤¤\u00a0#,##0.00")
    return format_currency(value, CURRENCY)


def quantity(value: Decimal | None) -> str:
    if value is None:
        return ""
    normal = value.normalize() if value == value.to_integral_value() else value
    return format_decimal(normal, format="#,##0.###")


def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##") + "\u00a0%"


def when(value: datetime | date | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, style)
    return format_date(value, style)


def register_templating(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, qty=quantity, percent=percent, when=when)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale() or "en"),
            "nav_area": _area(request.path) if has_request_context() else "",
        }

    app.jinja_env.globals["user_is"] = lambda *roles: (
        current_user.is_authenticated and current_user.role.value in roles
    )


def _area(path: str) -> str:
    for prefix, area in (
        ("/returns", "service"),
        ("/documents", "documents"),
        ("/office", "office"),
        ("/admin", "admin"),
        ("/rep", "rep"),
        ("/account", "account"),
        ("/company", "account"),
    ):
        if path.startswith(prefix):
            return area
    return "ordering"
