"""The seller's settings: read once per use, edited by an admin."""

from __future__ import annotations

from typing import Any

from portal.core.db import atomic, db
from portal.seller.models import SellerSettings


def seller() -> SellerSettings:
    settings = db.session.get(SellerSettings, 1)
    if settings is None:  # a database made before the defaults migration, or a test that emptied it
        settings = SellerSettings(id=1)
        db.session.add(settings)
        db.session.flush()
    return settings


def update_seller(values: dict[str, Any]) -> SellerSettings:
    with atomic():
        settings = seller()
        for field, value in values.items():
            setattr(settings, field, value.strip() if isinstance(value, str) else value)
    return settings
