"""The ordered, admin-configurable rules that choose an order's final sales document."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base
from portal.core.types import enum_column


class RuleCondition(enum.StrEnum):
    NOTE_KEYWORD = "note_keyword"
    """The order's note has the keyword at the start of a word (or as a whole word)."""
    TAX_ID = "tax_id"
    """The default, last: a partner with a tax ID gets an FS, without one a PA."""


class FinalDocument(enum.StrEnum):
    INVOICE = "FS"
    RECEIPT = "PA"
    DELIVERY_NOTE_ONLY = "WZ"


class DocumentRule(Base):
    __tablename__ = "document_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column()
    condition: Mapped[RuleCondition] = mapped_column(enum_column(RuleCondition))
    keyword: Mapped[str] = mapped_column(sa.String(40), default="")
    whole_word: Mapped[bool] = mapped_column(default=False)
    result: Mapped[FinalDocument | None] = mapped_column(enum_column(FinalDocument, 4))
    """None for the tax-ID rule, whose result depends on the partner."""
    active: Mapped[bool] = mapped_column(default=True)
