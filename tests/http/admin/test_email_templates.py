"""An admin writes the status e-mails per language, checked in a sandbox and previewed."""

from __future__ import annotations

import pytest

from portal.accounts.models import Role
from portal.core.db import db
from portal.notifications.models import EmailTemplate
from tests.builders import make_user

EDIT = "/admin/email-templates/edit?code=status/shipped&language=pl"


@pytest.fixture
def admin(login):  # type: ignore[no-untyped-def]
    return login(make_user(role=Role.ADMIN))


def test_the_list_offers_each_status_and_the_document_mail_in_three_languages(admin):
    html = admin.get("/admin/email-templates").get_data(as_text=True)
    for code in ("status/new", "status/shipped", "status/on_hold", "documents/issued"):
        for language in ("en", "pl", "de"):
            assert f"code={code}&amp;language={language}" in html


def test_admin_previews_then_saves_a_template(admin):
    body = (
        "<p>Cześć {{ name }}, zamówienie {{ number }} ({{ gross|money }}) jest: {{ status }}.</p>"
    )
    preview = admin.post(
        EDIT, data={"subject": "{{ number }} wysłane", "body_html": body, "action": "preview"}
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "ZK/2026/11/0042 wysłane" in html
    assert "Cześć Anna Nowak" in html  # in the iframe's srcdoc, escaped once
    assert db.session.get(EmailTemplate, ("status/shipped", "pl")) is None

    saved = admin.post(EDIT, data={"subject": "{{ number }} wysłane", "body_html": body})
    assert saved.status_code == 303
    db.session.expire_all()
    row = db.session.get(EmailTemplate, ("status/shipped", "pl"))
    assert (row.subject, row.body_html) == ("{{ number }} wysłane", body)
    assert "wysłane" in admin.get(EDIT).get_data(as_text=True)

    assert admin.post(EDIT, data={"action": "reset"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(EmailTemplate, ("status/shipped", "pl")) is None


def test_a_template_with_a_syntax_error_is_refused_next_to_the_field(admin):
    response = admin.post(EDIT, data={"subject": "Shipped", "body_html": "<p>{{ name </p>"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="body_html-error"' in html
    assert "The template has an error:" in html
    assert "{{ name &lt;/p&gt;" in html  # the input is kept
    assert db.session.get(EmailTemplate, ("status/shipped", "pl")) is None


def test_the_sandbox_refuses_reaching_into_python(admin):
    response = admin.post(
        EDIT,
        data={"subject": "x", "body_html": "{{ name.__class__.__mro__[1].__subclasses__() }}"},
    )
    assert response.status_code == 422
    assert 'id="body_html-error"' in response.get_data(as_text=True)


def test_an_unknown_code_or_language_answers_404(admin):
    assert admin.get("/admin/email-templates/edit?code=status/nope&language=en").status_code == 404
    assert admin.get("/admin/email-templates/edit?code=status/new&language=fr").status_code == 404
