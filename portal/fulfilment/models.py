"""Shipments: what packing an order produced (its WZ), with a carrier's tracking number."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Timestamped


class Shipment(Timestamped, Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    delivery_note_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), unique=True)
    """The WZ issued by packing."""
    carrier: Mapped[str] = mapped_column(sa.String(20))
    tracking_number: Mapped[str] = mapped_column(sa.String(60), default="")
    label_key: Mapped[str | None] = mapped_column(sa.String(80))
    """The stored A6 label PDF, relative to the media root."""
    parcels: Mapped[int] = mapped_column(default=1)
    shipped_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    """The return window counts from this date."""
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
