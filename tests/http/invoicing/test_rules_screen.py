"""The admin orders and edits the rules that choose the final document."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import Role
from portal.core.db import db
from portal.invoicing.models import DocumentRule, FinalDocument, RuleCondition
from portal.invoicing.queries import rules_in_order
from tests.builders import make_user


@pytest.fixture
def admin(login):
    return login(make_user(role=Role.ADMIN))


def keywords():
    db.session.expire_all()
    return [rule.keyword or "<tax id>" for rule in rules_in_order()]


def rule_named(keyword):
    return db.session.scalar(sa.select(DocumentRule).where(DocumentRule.keyword == keyword))


def tax_rule():
    return db.session.scalar(
        sa.select(DocumentRule).where(DocumentRule.condition == RuleCondition.TAX_ID)
    )


def test_admin_sees_the_default_rules_in_order(admin):
    html = admin.get("/admin/rules").get_data(as_text=True)
    positions = [html.index(f"“{keyword}”") for keyword in ("faktur", "invoice", "paragon", "WZ")]
    assert positions == sorted(positions)
    assert "Otherwise: tax ID" in html


def test_admin_adds_a_rule_which_lands_before_the_tax_id_rule(admin):
    response = admin.post(
        "/admin/rules",
        data={"keyword": "  Quittung ", "result": "PA", "active": "y"},
    )
    assert response.status_code == 303
    assert keywords()[-2:] == ["Quittung", "<tax id>"]
    added = rule_named("Quittung")
    assert (added.result, added.whole_word, added.active) == (FinalDocument.RECEIPT, False, True)


def test_a_rule_without_a_keyword_is_refused_next_to_the_field(admin):
    before = keywords()
    response = admin.post("/admin/rules", data={"keyword": "", "result": "FS"})
    assert response.status_code == 422
    assert 'id="keyword-error"' in response.get_data(as_text=True)
    assert keywords() == before


def test_admin_edits_and_deactivates_a_rule(admin):
    rule = rule_named("receipt")
    page = admin.get(f"/admin/rules/{rule.id}")
    assert 'value="receipt"' in page.get_data(as_text=True)
    response = admin.post(
        f"/admin/rules/{rule.id}", data={"keyword": "Beleg", "result": "PA", "whole_word": "y"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    rule = db.session.get(DocumentRule, rule.id)
    assert (rule.keyword, rule.whole_word, rule.active) == ("Beleg", True, False)


def test_admin_moves_rules_up_and_down_but_never_below_the_tax_id_rule(admin):
    start = keywords()
    wz = rule_named("WZ")
    assert admin.post(f"/admin/rules/{wz.id}/move", data={"direction": "up"}).status_code == 303
    moved = keywords()
    assert moved.index("WZ") == start.index("WZ") - 1
    admin.post(f"/admin/rules/{wz.id}/move", data={"direction": "down"})
    admin.post(f"/admin/rules/{wz.id}/move", data={"direction": "down"})
    assert keywords() == start  # the last keyword rule stays above the tax-ID rule
    first = rule_named("faktur")
    admin.post(f"/admin/rules/{first.id}/move", data={"direction": "up"})
    assert keywords() == start


def test_the_tax_id_rule_cannot_be_deleted_moved_or_changed(admin):
    rule = tax_rule()
    start = keywords()
    admin.post(f"/admin/rules/{rule.id}/delete")
    admin.post(f"/admin/rules/{rule.id}/move", data={"direction": "up"})
    response = admin.post(f"/admin/rules/{rule.id}", data={"keyword": "x", "result": "WZ"})
    assert response.status_code == 422
    assert keywords() == start
    assert tax_rule().active is True


def test_admin_deletes_a_keyword_rule(admin):
    rule = rule_named("rechnung")
    assert admin.post(f"/admin/rules/{rule.id}/delete").status_code == 303
    assert "rechnung" not in keywords()


def test_an_unknown_rule_is_404(admin):
    assert admin.get("/admin/rules/999999").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.SALES_REP, Role.BUYER, Role.PARTNER_ADMIN])
def test_only_admins_edit_rules(login, role):
    client = login(make_user(role=role))
    rule = rule_named("faktur")
    assert client.get("/admin/rules").status_code == 403
    assert client.post("/admin/rules", data={"keyword": "x", "result": "FS"}).status_code == 403
    assert client.post(f"/admin/rules/{rule.id}/delete").status_code == 403
    assert "x" not in keywords() and "faktur" in keywords()


def test_the_rules_page_needs_a_login(client):
    response = client.get("/admin/rules")
    assert response.status_code in (302, 303, 401)
