"""gettext, ngettext and lazy_gettext as Flask-Babel's, with the lookup made once per request.

Flask-Babel finds the active locale and its catalog again for every string (several context
lookups each time): 18 µs per string against 3 here, and a checkout page translates a few
dozen form labels, statuses and messages. The catalog is remembered on Flask-Babel's own
context next to the locale it belongs to, so force_locale() and a changed locale still work;
the locale's name, which every amount and date formatted needs, likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, has_app_context
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString

T = TypeVar("T")


def translations() -> Any:
    """Flask-Babel's translations for the active locale."""
    return _for_locale("portal_translations", get_translations)


def locale_name() -> str:
    """The active locale's name ("pl"): a page formats hundreds of amounts, and both
    get_locale() and str(Locale) do their work anew each time."""
    return _for_locale("portal_locale_name", _name_of_locale)


def _name_of_locale() -> str:
    return str(get_locale() or "en")


def _for_locale(key: str, make: Callable[[], T]) -> T:
    """make()'s value for the active locale, remembered on Flask-Babel's own context next
    to the locale it belongs to (so force_locale() and a changed locale make it anew)."""
    context = g.get("_flask_babel") if has_app_context() else None
    locale = getattr(context, "babel_locale", None)
    if context is None or locale is None:
        return make()  # Flask-Babel chooses the locale now; the next call remembers
    known = getattr(context, key, None)
    if known is not None and known[0] is locale:
        return cast(T, known[1])
    value = make()
    setattr(context, key, (locale, value))
    return value


def gettext(string: str, **variables: Any) -> str:
    text: str = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    variables.setdefault("num", num)
    text: str = translations().ungettext(singular, plural, num)
    return text % variables


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """Translated when used, in the language of that moment (labels made at import)."""
    return LazyString(gettext, string, **variables)
