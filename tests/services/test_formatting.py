"""The fast number formats agree with Babel's in every language the portal speaks."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from portal.core.templating import amount, money, quantity

numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False)


@pytest.mark.parametrize("language", ["en", "pl", "de"])
@given(value=numbers)
def test_quantities_and_money_match_babel(app, language, value):
    with app.test_request_context(), force_locale(language):
        normal = value.normalize() if value == value.to_integral_value() else value
        assert quantity(value) == format_decimal(normal, format="#,##0.###", locale=language)
        cents = value.quantize(Decimal("0.01"))
        if cents == 0:
            cents = abs(cents)  # Babel prints "-0,00" for a negative zero; amounts never are
        if language == "en":
            expected = format_currency(cents, "PLN", format="¤¤\u00a0#,##0.00", locale="en")
        else:
            expected = format_currency(cents, "PLN", locale=language)
        assert money(cents) == expected
        assert amount(cents) == format_decimal(cents, format="#,##0.00", locale=language)


@pytest.mark.parametrize("language", ["en", "pl", "de"])
@given(day=st.dates(), style=st.sampled_from(["short", "medium", "long"]))
def test_dates_match_babel(app, language, day, style):
    from flask_babel import format_date

    from portal.core.templating import when

    with app.test_request_context(), force_locale(language):
        assert when(day, style) == format_date(day, style)


@pytest.mark.parametrize("language", ["en", "pl", "de"])
@given(
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)
    ),  # stored times: naive UTC
    style=st.sampled_from(["short", "medium"]),
)
def test_times_are_the_sellers_to_the_minute_as_babel_words_them(app, language, moment, style):
    from portal.core.templating import when

    warsaw = moment.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Warsaw"))
    with app.test_request_context(), force_locale(language):
        day = format_date(warsaw.date(), style, locale=language)
        assert (
            when(moment, style) == f"{day}, {format_time(warsaw.time(), 'short', locale=language)}"
        )
        assert when(moment, style) == when(moment.replace(second=59), style)  # no seconds


def test_a_time_reads_as_people_write_it(app):
    from portal.core.templating import when

    with app.test_request_context(), force_locale("pl"):
        assert when(datetime(2026, 11, 26, 13, 5, 7)) == "26 lis 2026, 14:05"  # UTC+1 in winter
    with app.test_request_context(), force_locale("en"):
        assert when(datetime(2026, 7, 1, 12, 0)) == "Jul 1, 2026, 2:00\u202fPM"  # UTC+2 in summer


def test_templates_translate_and_escape_what_they_fill_in(app):
    """`_()` and `ngettext()` in a template: the reader's language, the values filled in
    escaped in HTML (not in plain text), and "%%" a percent sign as in Jinja's own."""
    from flask import render_template_string

    with app.test_request_context(), force_locale("pl"):
        html = render_template_string(
            '{{ _("Placed by %(rep)s for %(partner)s", rep=rep, partner="A&B") }}|'
            '{{ ngettext("%(num)d line", "%(num)d lines", 3) }}|{{ _("100%%") }}',
            rep="<b>Ann</b>",
        )
        assert html == ("Złożone przez &lt;b&gt;Ann&lt;/b&gt; w imieniu A&amp;B|3 pozycje|100%")
        text = render_template_string(  # as in a plain-text e-mail
            "{% autoescape false %}"
            '{{ _("Placed by %(rep)s for %(partner)s", rep=rep, partner="A&B") }}'
            "{% endautoescape %}",
            rep="<b>Ann</b>",
        )
        assert text == "Złożone przez <b>Ann</b> w imieniu A&B"


def test_strings_are_in_the_language_of_the_moment(app):
    """portal.core.i18n remembers a request's catalog, yet a lazy label made at import and
    every string follow the language in force when they are read."""
    from portal.core.i18n import gettext, lazy_gettext, ngettext

    label = lazy_gettext("Recipient")
    with app.test_request_context():
        with force_locale("pl"):
            assert str(label) == "Odbiorca"
            assert ngettext("%(num)d line", "%(num)d lines", 5) == "5 pozycji"
            assert gettext("Placed by %(rep)s for %(partner)s", rep="Ann", partner="Acme") == (
                "Złożone przez Ann w imieniu Acme"
            )
        with force_locale("de"):
            assert str(label) == "Empfänger"
        assert str(label) == "Recipient"
