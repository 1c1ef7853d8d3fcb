"""Eligibility of a delivered line: windows, warranty, what is left, and why not."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.returns.eligibility import (
    DeliveredLine,
    Policy,
    Verdict,
    add_months,
    eligibility,
    policy_on,
)
from portal.returns.models import RmaKind

D = Decimal
DELIVERED = date(2026, 9, 12)
POLICY = Policy(date(2000, 1, 1), 30, 24)


def line(**overrides) -> DeliveredLine:
    values = {
        "line_id": 1,
        "delivery_note_id": 2,
        "delivery_note_number": "WZ/2026/09/0001",
        "order_id": 3,
        "order_number": "ZK/2026/09/0001",
        "company_id": 4,
        "product_id": 5,
        "sku": "HNG-1",
        "name": "Hinge",
        "unit": "pcs",
        "quantity": D(5),
        "unit_price": D("10.00"),
        "list_price": D("10.00"),
        "vat_percent": D("23.00"),
        "discount": D("0.00"),
        "delivered_on": DELIVERED,
        "returnable": True,
        "claimed": D(0),
        "policy": POLICY,
    }
    values.update(overrides)
    return DeliveredLine(**values)


@pytest.mark.parametrize(
    ("kind", "overrides", "today", "verdict", "claimable", "until", "words"),
    [
        (
            RmaKind.RETURN,
            {},
            DELIVERED,
            Verdict.OK,
            D(5),
            date(2026, 10, 12),
            "until October 12, 2026",
        ),
        (RmaKind.RETURN, {}, date(2026, 10, 12), Verdict.OK, D(5), date(2026, 10, 12), "until"),
        (
            RmaKind.RETURN,
            {},
            date(2026, 10, 13),
            Verdict.WINDOW_PASSED,
            D(0),
            date(2026, 10, 12),
            "ended on October 12, 2026",
        ),
        (RmaKind.RETURN, {"claimed": D(2)}, DELIVERED, Verdict.OK, D(3), None, "until"),
        (
            RmaKind.RETURN,
            {"claimed": D(5)},
            DELIVERED,
            Verdict.FULLY_CLAIMED,
            D(0),
            None,
            "fully returned",
        ),
        (
            RmaKind.RETURN,
            {"returnable": False},
            DELIVERED,
            Verdict.NOT_RETURNABLE,
            D(0),
            None,
            "cannot be returned",
        ),
        (RmaKind.COMPLAINT, {"returnable": False}, DELIVERED, Verdict.OK, D(5), None, "warranty"),
        (
            RmaKind.COMPLAINT,
            {},
            date(2028, 9, 12),
            Verdict.OK,
            D(5),
            date(2028, 9, 12),
            "warranty until September 12, 2028",
        ),
        (
            RmaKind.COMPLAINT,
            {},
            date(2028, 9, 13),
            Verdict.WARRANTY_PASSED,
            D(0),
            date(2028, 9, 12),
            "warranty ended on September 12, 2028",
        ),
        (
            RmaKind.COMPLAINT,
            {"claimed": D(5)},
            DELIVERED,
            Verdict.FULLY_CLAIMED,
            D(0),
            None,
            "fully claimed",
        ),
        (
            RmaKind.RETURN,
            {"policy": Policy(date(2026, 1, 1), 14, 12)},
            date(2026, 9, 27),
            Verdict.WINDOW_PASSED,
            D(0),
            date(2026, 9, 26),
            "September 26, 2026",
        ),
        (
            RmaKind.RETURN,
            {"quantity": D("2.5"), "claimed": D("1.25"), "unit": "kg"},
            DELIVERED,
            Verdict.OK,
            D("1.25"),
            None,
            "until",
        ),
    ],
)
def test_eligibility(kind, overrides, today, verdict, claimable, until, words):
    found = eligibility(line(**overrides), kind, today)
    assert found.verdict is verdict
    assert found.eligible is (verdict is Verdict.OK)
    assert found.claimable == claimable
    if until:
        assert found.until == until
    assert words in found.message


def test_fully_claimed_is_said_before_the_window():
    found = eligibility(line(claimed=D(5)), RmaKind.RETURN, date(2027, 1, 1))
    assert found.verdict is Verdict.FULLY_CLAIMED


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 24, date(2028, 12, 15)),
        (date(2026, 5, 1), 0, date(2026, 5, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_the_policy_in_force_on_the_delivery_date_applies():
    old = Policy(date(2000, 1, 1), 30, 24)
    new = Policy(date(2026, 10, 1), 14, 12)
    assert policy_on([new, old], date(2026, 9, 30)) is old
    assert policy_on([old, new], date(2026, 10, 1)) is new
    assert policy_on([new], date(2026, 1, 1)) is new  # nothing earlier: the first one
    assert policy_on([], date(2026, 1, 1)).return_window_days == 30


@given(
    delivered=st.integers(min_value=1, max_value=500),
    claims=st.lists(st.integers(min_value=1, max_value=200), max_size=30),
    kind=st.sampled_from(list(RmaKind)),
    days=st.integers(min_value=0, max_value=40),
)
def test_many_partial_rmas_never_exceed_what_was_delivered(delivered, claims, kind, days):
    """Each claim takes at most what eligibility allows at that moment, as filing does."""
    claimed = D(0)
    today = DELIVERED + timedelta(days=days)
    for wanted in claims:
        verdict = eligibility(line(quantity=D(delivered), claimed=claimed), kind, today)
        assert verdict.claimable <= D(delivered) - claimed
        if verdict.eligible and D(wanted) <= verdict.claimable:
            claimed += D(wanted)
    assert claimed <= D(delivered)
    final = eligibility(line(quantity=D(delivered), claimed=claimed), kind, today)
    assert final.claimable == (D(delivered) - claimed if final.eligible else 0)
