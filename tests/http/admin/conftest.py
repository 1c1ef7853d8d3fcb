"""Admin tests change order statuses inside a rolled-back transaction; the order pipeline
keeps statuses in a per-process cache, which must not outlive the rollback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.orders.statuses import forget_statuses


@pytest.fixture(autouse=True)
def fresh_status_cache() -> Iterator[None]:
    forget_statuses()
    yield
    forget_statuses()
