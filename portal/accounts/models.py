"""Partner companies, their addresses, users and login failures."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from portal.core.db import Base, Timestamped, utcnow
from portal.core.money import Money, Percent
from portal.core.types import enum_column

if TYPE_CHECKING:
    from portal.catalog.models import PriceList
    from portal.stock.models import Warehouse


class Role(enum.StrEnum):
    BUYER = "buyer"
    PARTNER_ADMIN = "partner_admin"
    SALES_REP = "sales_rep"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def is_partner(self) -> bool:
        return self in (Role.BUYER, Role.PARTNER_ADMIN)

    @property
    def is_staff(self) -> bool:
        return self in (Role.STAFF, Role.ADMIN)


class Invoicing(enum.StrEnum):
    PER_DELIVERY = "per_delivery"
    MONTHLY = "monthly"


class Company(Timestamped, Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    tax_id: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    """Normalised with its country prefix for EU numbers (DE123456789); bare digits for NIP."""
    tax_country: Mapped[str | None] = mapped_column(sa.String(2))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(20), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    payment_terms_days: Mapped[int] = mapped_column(default=0)
    credit_limit: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    default_discount: Mapped[Percent] = mapped_column(default=Decimal("0.00"))
    price_list_id: Mapped[int | None] = mapped_column(sa.ForeignKey("price_lists.id"))
    warehouse_id: Mapped[int | None] = mapped_column(sa.ForeignKey("warehouses.id"))
    invoicing: Mapped[Invoicing] = mapped_column(
        enum_column(Invoicing), default=Invoicing.PER_DELIVERY
    )
    sales_rep_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", use_alter=True), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)

    price_list: Mapped[PriceList | None] = relationship(lazy="raise_on_sql")
    warehouse: Mapped[Warehouse | None] = relationship(lazy="raise_on_sql")
    sales_rep: Mapped[User | None] = relationship(foreign_keys=[sales_rep_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),
        sa.CheckConstraint("credit_limit >= 0", name="credit_limit_not_negative"),
        sa.CheckConstraint(
            "default_discount >= 0 AND default_discount <= 10000", name="discount_is_a_percent"
        ),
    )

    @property
    def billing_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.postal_code} {self.city}".strip()) if line]


class Address(Timestamped, Base):
    """A shipping address of a company; the billing address lives on the company."""

    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    street: Mapped[str] = mapped_column(sa.String(200))
    postal_code: Mapped[str] = mapped_column(sa.String(20))
    city: Mapped[str] = mapped_column(sa.String(100))
    country: Mapped[str] = mapped_column(sa.String(2), default="PL")
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    is_default: Mapped[bool] = mapped_column(default=False)
    archived: Mapped[bool] = mapped_column(default=False)

    company: Mapped[Company] = relationship(lazy="raise_on_sql")

    @property
    def lines(self) -> list[str]:
        return [self.recipient, self.street, f"{self.postal_code} {self.city}", self.country]


class User(UserMixin, Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    """Stored lower-cased, so uniqueness is case-insensitive on every database."""
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True)
    order_limit: Mapped[Money | None] = mapped_column()
    """Per-order limit, gross; None means no limit."""
    monthly_limit: Mapped[Money | None] = mapped_column()
    """Per calendar month, gross, over the buyer's placed orders; None means no limit."""
    session_version: Mapped[int] = mapped_column(default=1)
    """Part of the session identity: bumping it logs the user out everywhere."""
    last_login_at: Mapped[datetime | None] = mapped_column()

    # Joined: the user and their company come back together, also when a rolled-back
    # request refreshes the logged-in user to render its error page.
    company: Mapped[Company | None] = relationship(foreign_keys=[company_id], lazy="joined")
    main_warehouse_id: Mapped[int | None] = query_expression()
    """The main warehouse's id when the session's loader brought it along (None otherwise):
    every page with prices and stock needs it, and a query of its own was a round trip."""

    __table_args__ = (
        sa.CheckConstraint(
            "(role IN ('buyer', 'partner_admin')) = (company_id IS NOT NULL)",
            name="partner_roles_have_a_company",
        ),
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_partner(self) -> bool:
        return self.role.is_partner

    @property
    def is_staff(self) -> bool:
        return self.role.is_staff

    @property
    def is_rep(self) -> bool:
        return self.role is Role.SALES_REP

    @property
    def is_partner_admin(self) -> bool:
        return self.role is Role.PARTNER_ADMIN

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)


class LoginFailure(Base):
    """Failed logins, counted in the database so that every worker sees the same limit."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        sa.Index("ix_login_failures_email_created_at", "email", "created_at"),
        sa.Index("ix_login_failures_address_created_at", "address", "created_at"),
    )


class CompanyNote(Timestamped, Base):
    """A rep's or staff member's internal note on a partner: partners never see these."""

    __tablename__ = "company_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)

    author: Mapped[User] = relationship(lazy="raise_on_sql")
