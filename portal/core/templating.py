"""Jinja filters and globals: money, quantities, dates and navigation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from portal.core.clock import zone
from portal.core.i18n import lazy_gettext as _l
from portal.core.i18n import locale_name, translations

CURRENCY = "PLN"


@dataclass(frozen=True)
class _MoneyStyle:
    prefix: str
    suffix: str
    group: str
    decimal: str


@lru_cache(maxsize=16)
def _money_style(locale: str) -> _MoneyStyle:
    """Babel's currency format for the locale, read once from a sample and reused: formatting
    every price through Babel took a fifth of a catalog page's time."""
    sample = Decimal("1234567.89")
    if locale.startswith("en"):
        text = babel_numbers.format_currency(
            sample, CURRENCY, format="¤¤\u00a0#,##0.00", locale=locale
        )
    else:
        text = babel_numbers.format_currency(sample, CURRENCY, locale=locale)
    start, end = text.index("1"), text.rindex("9") + 1
    body = text[start:end]
    return _MoneyStyle(text[:start], text[end:], body[1], body[-3])


def money(value: Decimal | None) -> str:
    """'PLN 1,234.50' in English, '1 234,50 zł' in Polish, '1.234,50 PLN' in German."""
    if value is None:
        return ""
    style = _money_style(locale_name())
    whole, _, cents = f"{abs(value):,.2f}".partition(".")
    sign = "-" if value < 0 else ""
    digits = whole.replace(",", style.group)
    return f"{sign}{style.prefix}{digits}{style.decimal}{cents}{style.suffix}"


@lru_cache(maxsize=16)
def _separators(locale: str) -> tuple[str, str]:
    """The locale's group and decimal signs, from Babel, read once."""
    symbols = Locale.parse(locale).number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


def _plain_number(value: Decimal, places: int) -> str:
    """Grouped, up to `places` decimals without trailing zeros, in the locale's signs:
    a Babel call per number cost as much as the rest of a product card."""
    group, decimal = _separators(locale_name())
    text = f"{abs(value):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    sign = "-" if value < 0 and text.strip("0,.") else ""
    return f"{sign}{whole.replace(',', group)}{decimal + fraction if fraction else ''}"


def quantity(value: Decimal | None) -> str:
    if value is None:
        return ""
    return _plain_number(value, 3)


def amount(value: Decimal | None) -> str:
    """An amount without a currency sign, always with two decimals: '1 234,50' in Polish,
    '1.234,50' in German, '1,234.50' in English (the columns of a document's lines)."""
    if value is None:
        return ""
    group, decimal = _separators(locale_name())
    whole, _, cents = f"{abs(value):,.2f}".partition(".")
    sign = "-" if value < 0 else ""
    return f"{sign}{whole.replace(',', group)}{decimal}{cents}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return ""
    return _plain_number(value, 2) + "\u00a0%"


def when(value: datetime | date | None, style: str = "medium") -> str:
    """A date, or a stored (UTC) time as the seller's date and time to the minute, in the
    reader's language: "26 lis 2026, 14:05"."""
    if value is None:
        return ""
    locale = locale_name()
    if not isinstance(value, datetime):
        return _date_text(value, style, locale)
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone())
    return (
        _joined(style, locale)
        .replace("{1}", _date_text(local.date(), style, locale))
        .replace("{0}", _time_text(local.hour, local.minute, locale))
    )


@lru_cache(maxsize=32)
def _joined(style: str, locale: str) -> str:
    """How the language joins a date and a time ("{1}, {0}")."""
    return str(Locale.parse(locale).datetime_formats[style])


@lru_cache(maxsize=8192)
def _time_text(hour: int, minute: int, locale: str) -> str:
    """A time of day to the minute, once per minute and language: Babel's formatting of every
    timestamp was a good part of a dashboard's rendering."""
    return babel_dates.format_time(time(hour, minute), format="short", locale=locale)


@lru_cache(maxsize=8192)
def _date_text(value: date, style: str, locale: str) -> str:
    """A date in words, once per date and language: lists and statements repeat dates, and
    Babel's formatting was a tenth of a year-long statement's time."""
    return babel_dates.format_date(value, format=style, locale=locale)


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    """Jinja's newstyle `_()` in one call. Jinja's own goes through three context calls per
    string (the alias, its wrapper, the function), and a page translates dozens."""
    text = translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    # Always a format string, as in Jinja ("%%" is "%"); without a "%" that changes nothing.
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


# Units are stored as codes (catalog.models.Unit) and are their own msgids; people read their
# own abbreviations. The _l calls are there for pybabel to find them.
UNIT_MSGIDS = (_l("pcs"), _l("set"), _l("pack"))
TRANSLATED_UNITS = frozenset({"pcs", "set", "pack"})


def unit(code: str | None) -> str:
    """'pcs' as 'szt.' in Polish and 'Stk.' in German; kg, m and l as they are."""
    text = str(code or "")
    return translations().ugettext(text) if text in TRANSLATED_UNITS else text


def register_templating(app: Flask) -> None:
    # Flask-Babel installed Jinja's i18n extension (newstyle); these replace its callables.
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    app.jinja_env.filters.update(money=money, qty=quantity, percent=percent, when=when, unit=unit)
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def navigation() -> dict[str, Any]:
        from portal.core.acting import acting_as

        acting = acting_as() if has_request_context() and current_user.is_authenticated else None
        return {
            "acting": acting,
            "current_locale": str(get_locale() or "en"),
            "nav_area": _area(request.path) if has_request_context() else "",
        }

    app.jinja_env.globals["user_is"] = lambda *roles: (
        current_user.is_authenticated and current_user.role.value in roles
    )


def _area(path: str) -> str:
    for prefix, area in (
        ("/returns", "returns"),
        ("/documents", "documents"),
        ("/office", "office"),
        ("/admin", "admin"),
        ("/rep", "rep"),
        ("/orders", "orders"),
        ("/checkout", "orders"),
        ("/account", "account"),
        ("/company", "account"),
    ):
        if path.startswith(prefix):
            return area
    return "ordering"
