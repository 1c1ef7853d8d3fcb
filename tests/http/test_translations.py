"""The portal in Polish and German: the user's own language when logged in, the browser's
before. Every string the code and templates mark is in both catalogs with a translation, so a
new untranslated string fails here rather than showing up in English."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch
from flask import Flask

from portal.core.db import db
from portal.orders.models import OrderStatus
from tests.builders import make_product, make_user

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "portal" / "translations"
LANGUAGES = ("pl", "de")
PLURAL_FORMS = {
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "de": "nplurals=2; plural=(n != 1);",
}
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]")


def catalog(language: str) -> Catalog:
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def translations(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def marked_for_translation(app: Flask) -> set[str]:
    """The msgids the code and templates mark, found as `pybabel extract -F babel.cfg -k _l`
    finds them, except that templates get the app's Jinja extensions ({% do %}) and one that
    cannot be parsed fails instead of being skipped in silence."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "_l": None}
    found: set[str] = set()
    for path in sorted(p for top in ("portal", "templates") for p in (ROOT / top).rglob("*")):
        relative = path.relative_to(ROOT).as_posix()
        pattern, method = next(((p, m) for p, m in method_map if pathmatch(p, relative)), ("", ""))
        if not method or not path.is_file():
            continue
        options = dict(options_map.get(pattern, {}))
        if method == "jinja2":
            options.update(extensions=",".join(app.jinja_env.extensions), silent="false")
        for _line, message, _comments, _context in extract_from_file(
            method, path, keywords=keywords, options=options
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_a_polish_buyer_sees_the_catalog_in_polish_with_prices_in_zloty(login):
    make_product(name="Wiertarka udarowa", list_price=Decimal("1234.50"), stock="5")
    client = login(make_user(language="pl"))

    html = client.get("/catalog").get_data(as_text=True)

    assert '<html lang="pl">' in html
    assert ">Szukaj</button>" in html
    assert 'placeholder="Nazwa, indeks lub EAN"' in html
    assert ">Koszyk<" in html
    assert "Dodaj do koszyka" in html
    assert "netto" in html and "brutto" in html
    assert "1\xa0234,50\xa0zł" in html
    assert "Search" not in html and "Add to cart" not in html


def test_a_german_buyer_sees_the_catalog_in_german_with_a_decimal_comma(login):
    make_product(name="Schlagbohrmaschine", list_price=Decimal("1234.50"), stock="5")
    client = login(make_user(language="de"))

    html = client.get("/catalog").get_data(as_text=True)

    assert '<html lang="de">' in html
    assert ">Suchen</button>" in html
    assert 'placeholder="Bezeichnung, Artikelnummer oder EAN"' in html
    assert ">Warenkorb<" in html
    assert "In den Warenkorb" in html
    assert "MwSt." in html
    assert "1.234,50\xa0PLN" in html
    assert "Search" not in html and "Add to cart" not in html


@pytest.mark.parametrize(
    ("accept_language", "lang", "words"),
    [
        (
            "de-DE,de;q=0.9,en;q=0.3",
            "de",
            ["Anmelden", "E-Mail", "Passwort", "Passwort vergessen?"],
        ),
        ("pl-PL,pl;q=0.9", "pl", ["Zaloguj się", "E-mail", "Hasło", "Nie pamiętasz hasła?"]),
    ],
)
def test_a_visitor_gets_the_login_page_in_the_browsers_language(
    client, accept_language, lang, words
):
    response = client.get("/login", headers={"Accept-Language": accept_language})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html
    assert "Log in" not in html and "Forgot your password?" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_catalog_is_translated(language):
    messages = [message for message in catalog(language) if message.id]

    untranslated = [m.id for m in messages if not all(translations(m))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == [], f"{language}: translate these (pybabel update, then fill msgstr)"
    assert fuzzy == [], f"{language}: review these and remove the fuzzy flag"


def test_every_string_marked_in_the_code_and_templates_is_in_the_catalogs(app):
    marked = marked_for_translation(app)

    assert "Log in" in marked and "Load more" in marked  # Python, Jinja and {% do %} templates
    for language in LANGUAGES:
        missing = marked - {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(language)}
        assert missing == set(), (
            f"{language}: not in the catalog yet; run pybabel extract and update, then translate"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_and_the_plural_forms(language):
    messages = catalog(language)
    assert messages.plural_forms == PLURAL_FORMS[language]
    assert messages.charset.lower() == "utf-8"

    for message in messages:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        expected = {p for text in ids for p in PLACEHOLDER.findall(text)}
        forms = translations(message)
        if message.pluralizable:
            assert len(forms) == messages.num_plurals, message.id
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == expected, (message.id, form)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_order_status_names_from_the_database_are_translated(language):
    # Templates render _(status.name); these names are data, so no extraction finds them,
    # and `pybabel update` marks them obsolete (#~): add them back if this fails.
    names = set(db.session.scalars(sa.select(OrderStatus.name)))
    translated = {m.id for m in catalog(language) if m.id and all(translations(m))}

    assert names, "the migrations should create the default order statuses"
    assert names - translated == set()
