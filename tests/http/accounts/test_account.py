"""The user's own account page: profile, language and password."""

from __future__ import annotations

from tests.builders import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "a brand new secret"


def profile(**changes: str) -> dict[str, str]:
    return {"name": "Anna Zając", "phone": "+48 600 100 200", "language": "en", **changes}


def change_password(client, current: str, new: str = NEW_PASSWORD):
    return client.post(
        "/account/password",
        data={"pw-current_password": current, "pw-password": new, "pw-confirm": new},
    )


def test_user_edits_name_phone_and_language_and_the_portal_follows_the_language(login):
    user = make_user(name="Anna", language="en")
    client = login(user)

    response = client.post("/account", data=profile(language="pl"))

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")
    assert (user.name, user.phone, user.language) == ("Anna Zając", "+48 600 100 200", "pl")
    html = client.get("/account").get_data(as_text=True)
    assert '<html lang="pl">' in html
    assert 'value="Anna Zając"' in html
    assert '<option selected value="pl">' in html


def test_an_invalid_phone_is_shown_next_to_the_field_and_the_input_is_kept(login):
    user = make_user(name="Anna", phone=None)
    client = login(user)

    response = client.post("/account", data=profile(phone="call me maybe"))

    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="phone-error">Digits only.</p>' in html
    assert 'value="call me maybe"' in html
    assert 'value="Anna Zając"' in html
    assert (user.name, user.phone) == ("Anna", None)


def test_changing_the_password_needs_the_current_one(app, login):
    user = make_user(email="anna@acme.example")
    client = login(user)

    response = change_password(client, current="not my password")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<label for="pw-current_password">Current password</label>' in html
    assert 'id="pw-current_password-error">This is not your current password.</p>' in html
    fresh = app.test_client()
    login_data = {"email": "anna@acme.example", "password": DEFAULT_PASSWORD}
    assert fresh.post("/login", data=login_data).status_code == 303


def test_a_changed_password_logs_out_older_sessions_but_not_this_one(app, login):
    user = make_user(email="anna@acme.example")
    older = login(user)
    client = login(user)

    response = change_password(client, current=DEFAULT_PASSWORD)

    assert response.status_code == 303
    assert client.get("/account").status_code == 200
    assert older.get("/account").status_code == 302
    assert login(user, NEW_PASSWORD).get("/account").status_code == 200


def test_each_user_sees_the_portal_in_their_own_language(login):
    polish = login(make_user(language="pl"))
    english = login(make_user(language="en"))

    assert '<html lang="pl">' in polish.get("/account").get_data(as_text=True)
    assert '<html lang="en">' in english.get("/account").get_data(as_text=True)
