"""The seller's own details, edited by an admin and printed on every document."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base


class SellerSettings(Base):
    """A single row (id 1)."""

    __tablename__ = "seller_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    tax_id: Mapped[str] = mapped_column(sa.String(20), default="")
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    return_recipient: Mapped[str] = mapped_column(sa.String(200), default="")
    return_street: Mapped[str] = mapped_column(sa.String(200), default="")
    return_postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    return_city: Mapped[str] = mapped_column(sa.String(100), default="")
    return_country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    bank_name: Mapped[str] = mapped_column(sa.String(100), default="")
    bank_account: Mapped[str] = mapped_column(sa.String(34), default="")
    """IBAN, stored without spaces."""
    email_documents: Mapped[bool] = mapped_column(default=True)
    """E-mail each final document (FS, PA, KOR) to the customer when it is issued."""
    default_carrier: Mapped[str] = mapped_column(sa.String(20), default="demo")
