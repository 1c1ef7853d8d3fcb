"""Password links: signed, tied to the current password, refused once it changes."""

from __future__ import annotations

from portal.accounts.services import make_password_token, set_password, user_for_password_token
from portal.core.db import atomic
from tests.builders import make_user

AN_HOUR = 3600


def test_a_token_names_its_user():
    user = make_user()

    assert user_for_password_token(make_password_token(user), max_age=AN_HOUR) is user


def test_a_token_dies_when_the_password_changes():
    user = make_user()
    token = make_password_token(user)

    set_password(user, "a brand new secret")

    assert user_for_password_token(token, max_age=AN_HOUR) is None
    assert user_for_password_token(make_password_token(user), max_age=AN_HOUR) is user


def test_a_token_of_an_invited_user_dies_once_they_set_a_password():
    user = make_user(password="")
    token = make_password_token(user)
    assert user_for_password_token(token, max_age=AN_HOUR) is user

    set_password(user, "my first password")

    assert user_for_password_token(token, max_age=AN_HOUR) is None


def test_a_token_is_refused_for_a_deactivated_user():
    user = make_user()
    token = make_password_token(user)
    with atomic():
        user.active = False

    assert user_for_password_token(token, max_age=AN_HOUR) is None


def test_an_expired_or_forged_token_is_refused():
    user = make_user()
    token = make_password_token(user)

    assert user_for_password_token(token, max_age=-1) is None
    assert user_for_password_token(token + "x", max_age=AN_HOUR) is None
    assert user_for_password_token("not-a-token", max_age=AN_HOUR) is None


def test_a_new_password_ends_every_session():
    user = make_user()
    before = user.get_id()

    set_password(user, "a brand new secret")

    assert user.get_id() != before
    assert user.session_version == 2
