"""Auto-approval rules: the first active match by position wins."""

from __future__ import annotations

from decimal import Decimal

import pytest

import portal.models  # noqa: F401  (every mapper, so that a bare RmaRule can be built)
from portal.returns.models import RmaKind, RmaRule
from portal.returns.rules import matching_rule

D = Decimal


def rule(id, position, **values) -> RmaRule:
    values.setdefault("active", True)
    values.setdefault("require_good_standing", True)
    values.setdefault("kind", None)
    values.setdefault("max_value", None)
    return RmaRule(id=id, position=position, **values)


RETURNS_UP_TO_1000 = rule(1, 10, kind=RmaKind.RETURN, max_value=D("1000.00"))
ANY_COMPLAINT_FOR_ANYONE = rule(2, 20, kind=RmaKind.COMPLAINT, require_good_standing=False)
SWITCHED_OFF = rule(3, 1, active=False)


@pytest.mark.parametrize(
    ("kind", "value", "good", "expected"),
    [
        (RmaKind.RETURN, D("1000.00"), True, RETURNS_UP_TO_1000),
        (RmaKind.RETURN, D("1000.01"), True, None),
        (RmaKind.RETURN, D("10.00"), False, None),
        (RmaKind.COMPLAINT, D("99999.00"), False, ANY_COMPLAINT_FOR_ANYONE),
        (RmaKind.COMPLAINT, D("1.00"), True, ANY_COMPLAINT_FOR_ANYONE),
    ],
)
def test_matching_rule(kind, value, good, expected):
    rules = [ANY_COMPLAINT_FOR_ANYONE, SWITCHED_OFF, RETURNS_UP_TO_1000]
    assert matching_rule(rules, kind=kind, net_value=value, good_standing=good) is expected


def test_the_first_by_position_wins_and_inactive_rules_never_match():
    late = rule(4, 50, instructions="late")
    early = rule(5, 5, instructions="early")
    assert (
        matching_rule([late, early], kind=RmaKind.RETURN, net_value=D(1), good_standing=True)
        is early
    )
    assert (
        matching_rule([SWITCHED_OFF], kind=RmaKind.RETURN, net_value=D(0), good_standing=True)
        is None
    )
    assert matching_rule([], kind=RmaKind.RETURN, net_value=D(0), good_standing=True) is None
