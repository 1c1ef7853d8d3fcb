"""The mail outbox: a row per message, written in the transaction that causes it."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import Base, Timestamped, utcnow
from portal.core.types import enum_column


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    """Permanently: retries are exhausted; staff see it and can send it again."""


class OutboxMessage(Timestamped, Base):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(sa.String(100))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    cc: Mapped[str] = mapped_column(sa.String(1000), default="")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    """[{"filename": ..., "path": ..., "content_type": ...}] relative to the media root."""
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)


class EmailTemplate(Base):
    """An admin's version of a mail template (HTML, Jinja in a sandbox) for one language.

    Without a row the file template under templates/mail/ is used; `code` is e.g.
    "status/<status code>" or "documents/issued".
    """

    __tablename__ = "email_templates"

    code: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_html: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
