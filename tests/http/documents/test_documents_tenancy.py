"""Every documents and payments route with an id: another company's id answers 404 to a
partner (403 in the office), whatever the method."""

from __future__ import annotations

import re

from portal.accounts.models import Role
from tests.builders import make_company, make_user
from tests.http.test_tenancy import foreign_documents, id_rules

MY_AREAS = ("/documents", "/office/documents", "/office/payments")


def test_document_routes_hide_other_companies_records(app, login):
    mine, theirs = make_company(), make_company()
    ids = foreign_documents(theirs)
    clients = [
        login(make_user(role=Role.PARTNER_ADMIN, company=mine)),
        login(make_user(role=Role.BUYER, company=mine)),
    ]
    checked = 0
    for rule, names in id_rules(app):
        if not rule.rule.startswith(MY_AREAS):
            continue
        url = rule.rule
        for name in names:
            url = re.sub(rf"<int:{name}>", str(ids[name]), url)
        expected = 403 if url.startswith("/office") else 404
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for client in clients:
                response = client.open(url, method=method, data={"tag": "x", "amount": "1"})
                assert response.status_code == expected, f"{method} {url}"
                checked += 1
    assert checked >= 20
