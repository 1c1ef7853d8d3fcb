"""The base of every form: Flask-WTF's, with WTForms' own messages translated once per
language for the process (Flask-WTF reads their catalog from disk on every request)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import support
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from portal.core.i18n import locale_name


@lru_cache(maxsize=8)
def _wtforms_translations(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> support.NullTranslations:
            return _wtforms_translations(locale_name())
