"""Stripe events seen, so that replays and duplicates are harmless."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, utcnow


class StripeEvent(Base):
    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    type: Mapped[str] = mapped_column(sa.String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
