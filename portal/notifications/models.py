"""The mail outbox: a row per message, written in the transaction that causes it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

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
    """A message is queued as its template, language and context; the worker renders it
    (rendering in the causing request cost that request a millisecond per message)."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    template: Mapped[str] = mapped_column(sa.String(100))
    recipient: Mapped[str] = mapped_column(sa.String(254))
    cc: Mapped[str] = mapped_column(sa.String(1000), default="")
    language: Mapped[str] = mapped_column(sa.String(10), default="en")
    context: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    """The templates' variables as JSON (notifications/outbox.py tags decimals and dates)."""
    rendered_subject: Mapped[str] = mapped_column("subject", sa.String(300), default="")
    rendered_text: Mapped[str] = mapped_column("body_text", sa.Text, default="")
    rendered_html: Mapped[str] = mapped_column("body_html", sa.Text, default="")
    """Empty until the message is first rendered (by the worker, or when someone reads it)."""
    attachments: Mapped[list[dict[str, str]]] = mapped_column(sa.JSON, default=list)
    """[{"filename": ..., "path": ..., "content_type": ...}] relative to the media root."""
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    @property
    def is_rendered(self) -> bool:
        return bool(self.rendered_text)

    def render(self) -> None:
        """Fills subject and bodies from the template, in the recipient's language."""
        from portal.notifications.outbox import render

        self.rendered_subject, self.rendered_text, self.rendered_html = render(
            self.template, language=self.language, context=self.context or {}
        )
        self.rendered_subject = self.rendered_subject[:300]

    @property
    def subject(self) -> str:
        if not self.is_rendered:
            self.render()
        return self.rendered_subject

    @property
    def body_text(self) -> str:
        if not self.is_rendered:
            self.render()
        return self.rendered_text

    @property
    def body_html(self) -> str:
        if not self.is_rendered:
            self.render()
        return self.rendered_html


class EmailTemplate(Base):
    """An admin's version of a mail (subject and HTML body, Jinja), per code and language;
    notifications/templates_db.py renders it in a sandbox, else the file template is used."""

    __tablename__ = "email_templates"

    code: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_html: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
