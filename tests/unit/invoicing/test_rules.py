"""choose_final_document: the rules that pick FS, PA or a delivery note only."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.invoicing.models import FinalDocument, RuleCondition
from portal.invoicing.rules import (
    TAX_ID_RULE,
    Rule,
    choose_final_document,
    keyword_rule,
    note_matches,
)

FS, PA, WZ = FinalDocument.INVOICE, FinalDocument.RECEIPT, FinalDocument.DELIVERY_NOTE_ONLY

# The defaults migration 0008 inserts, in their order.
DEFAULTS = (
    keyword_rule("faktur", FS),
    keyword_rule("invoice", FS),
    keyword_rule("rechnung", FS),
    keyword_rule("paragon", PA),
    keyword_rule("receipt", PA),
    keyword_rule("WZ", WZ, whole_word=True),
    TAX_ID_RULE,
)


@pytest.mark.parametrize(
    ("note", "has_tax_id", "expected"),
    [
        # Polish inflections: the keyword starts the word.
        ("Proszę o fakturę", False, FS),
        ("FAKTURA VAT", False, FS),
        ("bez faktury nie odbiorę", False, FS),
        ("faktur\u0105 proszę", False, FS),
        ("Fakturka!", False, FS),
        ("paragon", True, PA),
        ("Wystawcie PARAGON.", True, PA),
        ("paragonem proszę", True, PA),
        # English and German.
        ("Please send an invoice", False, FS),
        ("Invoices: by e-mail", False, FS),
        ("Invoicing: monthly", False, PA),
        ("Bitte Rechnung beilegen", False, FS),
        ("RECHNUNGSADRESSE wie immer", False, FS),
        ("receipt please", True, PA),
        ("Receipts to the shop", True, PA),
        # Punctuation around words.
        ("(faktura)", False, FS),
        ("uwaga:paragon", True, PA),
        ("e-faktura", False, FS),
        ("\u201efaktura\u201d", False, FS),
        # "WZ" only as a whole word.
        ("tylko WZ", True, WZ),
        ("wz", True, WZ),
        ("WZ, bez dokumentu sprzedaży", True, WZ),
        ("(WZ)", False, WZ),
        ("WZór umowy w załączniku", True, FS),
        ("WZór umowy w załączniku", False, PA),
        ("WZ1", True, FS),
        ("nowzór", False, PA),
        # Inside a word is not at its start.
        ("refaktura", False, PA),
        ("antyparagon", True, FS),
        ("preinvoice", False, PA),
        # Nothing matches: the tax-ID default.
        ("", True, FS),
        ("", False, PA),
        ("Dostawa do 10:00", True, FS),
        ("Lieferung bis Freitag", False, PA),
        # First match wins: "faktur" comes before "paragon" and "WZ".
        ("paragon albo faktura", False, FS),
        ("WZ i paragon", True, PA),
    ],
)
def test_the_default_rules(note, has_tax_id, expected):
    assert choose_final_document(DEFAULTS, note, has_tax_id) is expected


@pytest.mark.parametrize(
    ("rules", "note", "has_tax_id", "expected"),
    [
        # Order matters: the same two rules in the other order.
        (
            (keyword_rule("WZ", WZ, whole_word=True), keyword_rule("paragon", PA)),
            "WZ paragon",
            True,
            WZ,
        ),
        (
            (keyword_rule("paragon", PA), keyword_rule("WZ", WZ, whole_word=True)),
            "WZ paragon",
            True,
            PA,
        ),
        # Inactive rules are skipped.
        ((replace(keyword_rule("paragon", PA), active=False), TAX_ID_RULE), "paragon", True, FS),
        ((replace(keyword_rule("faktur", FS), active=False), TAX_ID_RULE), "faktura", False, PA),
        # The tax-ID rule ends the evaluation, even with rules after it.
        ((TAX_ID_RULE, keyword_rule("paragon", PA)), "paragon", True, FS),
        # No rules at all, or the tax-ID rule missing: the tax-ID default still applies.
        ((), "paragon", True, FS),
        ((keyword_rule("paragon", PA),), "nothing", False, PA),
        ((keyword_rule("paragon", PA),), "nothing", True, FS),
        # An empty or blank keyword never matches.
        ((keyword_rule("", WZ), TAX_ID_RULE), "anything", True, FS),
        ((keyword_rule("  ", WZ), TAX_ID_RULE), "a  b", True, FS),
        # A keyword rule without a result is ignored.
        ((Rule(RuleCondition.NOTE_KEYWORD, "x"), TAX_ID_RULE), "x", False, PA),
        # A whole-word keyword of several words, with regex characters taken literally.
        ((keyword_rule("bez faktury", PA, whole_word=True), *DEFAULTS), "bez faktury", True, PA),
        ((keyword_rule("c++", WZ), TAX_ID_RULE), "c++ only", False, WZ),
        ((keyword_rule("a.b", WZ), TAX_ID_RULE), "axb", False, PA),
        # German case folding: ß and SS.
        ((keyword_rule("straße", WZ), TAX_ID_RULE), "STRASSE 1", False, WZ),
    ],
)
def test_rules_in_order(rules, note, has_tax_id, expected):
    assert choose_final_document(rules, note, has_tax_id) is expected


def test_keyword_whitespace_is_ignored():
    assert note_matches("faktura", "  faktur ", whole_word=False)
    assert not note_matches("faktura", " faktur ", whole_word=True)


# --- properties --------------------------------------------------------------------------------

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZąćęłńóśźżĄĆĘŁŃÓŚŹŻäöüÄÖÜß"
PUNCTUATION = " .,;:!?()-\"'\n\t/"
words = st.text(alphabet=LETTERS, min_size=1, max_size=8)
notes = st.text(alphabet=LETTERS + PUNCTUATION + "0123456789", max_size=60)
results = st.sampled_from(list(FinalDocument))
rules = st.builds(
    Rule,
    condition=st.just(RuleCondition.NOTE_KEYWORD),
    keyword=words,
    whole_word=st.booleans(),
    result=results,
    active=st.booleans(),
)
rule_lists = st.lists(rules, max_size=6).map(lambda found: (*found, TAX_ID_RULE))


@given(rule_lists, notes, st.booleans())
def test_inactive_rules_never_change_the_choice(rule_list, note, has_tax_id):
    active = [rule for rule in rule_list if rule.active]
    assert choose_final_document(rule_list, note, has_tax_id) is choose_final_document(
        active, note, has_tax_id
    )


@given(rule_lists, notes, st.booleans())
def test_the_choice_ignores_case(rule_list, note, has_tax_id):
    assume("ß" not in note)  # "ß".upper() is "SS", which is a different text
    expected = choose_final_document(rule_list, note, has_tax_id)
    assert choose_final_document(rule_list, note.upper(), has_tax_id) is expected
    assert choose_final_document(rule_list, note.lower(), has_tax_id) is expected


@given(words, results, st.booleans(), notes, notes, st.booleans())
def test_a_keyword_starting_a_word_decides_when_its_rule_comes_first(
    keyword, result, whole_word, before, after, has_tax_id
):
    # The keyword as its own word, wherever it stands in the note.
    note = f"{before} {keyword} {after}"
    rule = keyword_rule(keyword, result, whole_word=whole_word)
    assert choose_final_document([rule, *DEFAULTS], note, has_tax_id) is result


@given(words, words, results, st.booleans())
def test_a_keyword_inside_a_word_does_not_match(prefix, keyword, result, has_tax_id):
    note = f"{prefix}{keyword}"
    assume(not note_matches(note, keyword, whole_word=False))  # e.g. "aa" + "a" starts with "a"
    rule = keyword_rule(keyword, result)
    assert choose_final_document([rule], note, has_tax_id) is (FS if has_tax_id else PA)


@given(words, words, results, st.booleans())
def test_a_whole_word_rule_needs_the_word_to_end(keyword, suffix, result, has_tax_id):
    note = f"{keyword}{suffix}"
    rule = keyword_rule(keyword, result, whole_word=True)
    assume(not note_matches(note, keyword, whole_word=True))  # "aa" + "a" = "aaa"...
    assert choose_final_document([rule], note, has_tax_id) is (FS if has_tax_id else PA)
    assert choose_final_document([rule], f"{keyword}-{suffix}", has_tax_id) is result


@given(notes, st.booleans())
def test_without_keyword_rules_the_tax_id_decides(note, has_tax_id):
    assert choose_final_document([TAX_ID_RULE], note, has_tax_id) is (FS if has_tax_id else PA)
