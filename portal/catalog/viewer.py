"""Whose prices and which warehouse a request shows: the partner (or the partner a rep acts
for), or, for staff and reps, list prices or the partner they picked."""

from __future__ import annotations

from flask import session

from portal.catalog import queries
from portal.catalog.queries import Viewer
from portal.core.acting import acting_as
from portal.core.web import user
from portal.stock.queries import main_warehouse_id

PRICE_VIEW_KEY = "price_company_id"


def current_viewer() -> Viewer:
    me = user()
    customer = acting_as() or me
    company = customer.company
    if company is None and session.get(PRICE_VIEW_KEY):
        company = queries.company_for_prices(me, int(session[PRICE_VIEW_KEY]))
    warehouse_id = (
        (company.warehouse_id if company else None) or me.main_warehouse_id or main_warehouse_id()
    )
    return Viewer(company=company, warehouse_id=warehouse_id, is_staff=me.is_staff)
