"""Which final sales document an order gets: one pure function over the ordered rules.

DOMAIN.md: a keyword matches the order's note case-insensitively at the START of a word
("faktur" matches "Fakturę", not "refaktura"); a whole-word rule ("WZ") matches only the
whole word ("WZór" does not). Rules are tried in order and the first match wins; the tax-ID
rule (a partner with a tax ID gets an FS, without one a PA) is the default and ends the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from portal.invoicing.models import FinalDocument, RuleCondition


class RuleLike(Protocol):
    """A DocumentRule row, or a `Rule` in tests: anything with these attributes."""

    @property
    def condition(self) -> RuleCondition: ...
    @property
    def keyword(self) -> str: ...
    @property
    def whole_word(self) -> bool: ...
    @property
    def result(self) -> FinalDocument | None: ...
    @property
    def active(self) -> bool: ...


@dataclass(frozen=True)
class Rule:
    condition: RuleCondition
    keyword: str = ""
    whole_word: bool = False
    result: FinalDocument | None = None
    active: bool = True


def keyword_rule(keyword: str, result: FinalDocument, *, whole_word: bool = False) -> Rule:
    return Rule(RuleCondition.NOTE_KEYWORD, keyword, whole_word, result)


TAX_ID_RULE = Rule(RuleCondition.TAX_ID)


@lru_cache(maxsize=256)
def _pattern(keyword: str, whole_word: bool) -> re.Pattern[str]:
    # \w is Unicode-aware: "ó" in "WZór" is a letter, so "WZ" is not a whole word there.
    # Both sides are case-folded rather than matched with IGNORECASE, so that "ß" and "SS"
    # compare equal as German spells them.
    end = r"(?!\w)" if whole_word else ""
    return re.compile(rf"(?<!\w){re.escape(keyword.casefold())}{end}")


def note_matches(note: str, keyword: str, *, whole_word: bool) -> bool:
    """The keyword starts a word of the note (and ends it, for a whole-word rule)."""
    keyword = keyword.strip()
    if not keyword:
        return False
    return _pattern(keyword, whole_word).search(note.casefold()) is not None


def by_tax_id(has_tax_id: bool) -> FinalDocument:
    return FinalDocument.INVOICE if has_tax_id else FinalDocument.RECEIPT


def choose_final_document(rules: Iterable[RuleLike], note: str, has_tax_id: bool) -> FinalDocument:
    """The first active rule that matches decides; with none, the tax-ID default does."""
    for rule in rules:
        if not rule.active:
            continue
        if rule.condition is RuleCondition.TAX_ID:
            return by_tax_id(has_tax_id)
        if rule.result is not None and note_matches(note, rule.keyword, whole_word=rule.whole_word):
            return rule.result
    return by_tax_id(has_tax_id)
