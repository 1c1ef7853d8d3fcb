"""authenticate(): who may log in, and how failures are counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.accounts.models import LoginFailure, Role
from portal.accounts.services import (
    AccountInactive,
    InvalidCredentials,
    LoginThrottled,
    authenticate,
)
from portal.core.db import atomic, db, utcnow
from tests.builders import DEFAULT_PASSWORD, make_company, make_user


def failures() -> list[tuple[str, str]]:
    rows = db.session.execute(sa.select(LoginFailure.email, LoginFailure.address))
    return [(email, address) for email, address in rows]


def add_failures(email: str, *, count: int, minutes_ago: int, address: str = "10.0.0.1") -> None:
    """Committed, as earlier requests would have: a refused login rolls back what is not."""
    when = utcnow() - timedelta(minutes=minutes_ago)
    with atomic():
        db.session.add_all(
            LoginFailure(email=email, address=address, created_at=when) for _ in range(count)
        )


def test_the_right_password_returns_the_user_and_records_nothing():
    user = make_user(email="anna@acme.example")

    assert authenticate(" ANNA@acme.example", DEFAULT_PASSWORD, address="10.0.0.1") is user
    assert user.last_login_at is not None
    assert failures() == []


@pytest.mark.parametrize("email", ["anna@acme.example", "nobody@acme.example"])
def test_a_failure_is_recorded_for_the_normalised_email_and_the_address(email):
    make_user(email="anna@acme.example")

    with pytest.raises(InvalidCredentials):
        authenticate(email.upper(), "wrong", address="10.0.0.1")

    assert failures() == [(email, "10.0.0.1")]


def test_an_inactive_account_with_a_wrong_password_reveals_nothing():
    make_user(email="anna@acme.example", active=False)

    with pytest.raises(InvalidCredentials):
        authenticate("anna@acme.example", "wrong", address="10.0.0.1")
    with pytest.raises(AccountInactive):
        authenticate("anna@acme.example", DEFAULT_PASSWORD, address="10.0.0.1")


def test_an_inactive_company_locks_out_its_users():
    user = make_user(role=Role.PARTNER_ADMIN, company=make_company(active=False))

    with pytest.raises(AccountInactive):
        authenticate(user.email, DEFAULT_PASSWORD, address="10.0.0.1")


def test_failures_count_per_account_from_any_address():
    make_user(email="anna@acme.example")
    for n in range(5):
        add_failures("anna@acme.example", count=1, minutes_ago=1, address=f"10.0.0.{n}")

    with pytest.raises(LoginThrottled) as refused:
        authenticate("anna@acme.example", DEFAULT_PASSWORD, address="10.9.9.9")
    assert refused.value.status == 429


def test_failures_inside_the_window_count_and_older_ones_do_not():
    make_user(email="anna@acme.example")
    add_failures("anna@acme.example", count=4, minutes_ago=14)
    add_failures("anna@acme.example", count=10, minutes_ago=16)

    assert authenticate("anna@acme.example", DEFAULT_PASSWORD, address="10.0.0.1")

    add_failures("anna@acme.example", count=1, minutes_ago=14)
    with pytest.raises(LoginThrottled):
        authenticate("anna@acme.example", DEFAULT_PASSWORD, address="10.0.0.1")


def test_a_throttled_attempt_is_not_recorded_as_another_failure():
    make_user(email="anna@acme.example")
    add_failures("anna@acme.example", count=5, minutes_ago=1)

    with pytest.raises(LoginThrottled):
        authenticate("anna@acme.example", "wrong", address="10.0.0.1")

    assert len(failures()) == 5
