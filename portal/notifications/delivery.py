"""The outbox worker: renders due messages in their recipient's language and sends them by
SMTP, or to .eml files without MAIL_SERVER."""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from portal.core.db import atomic, db, utcnow
from portal.notifications.models import MailStatus, OutboxMessage

log = logging.getLogger(__name__)

# A worker that died mid-send leaves 'sending' rows; after this long they are due again.
STALE_SENDING = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def build_email(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    if message.cc:
        email["Cc"] = message.cc
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    media_root = Path(config["MEDIA_ROOT"])
    for attachment in message.attachments or []:
        data = (media_root / _attachment_path(attachment)).read_bytes()
        maintype, _, subtype = attachment.get("content_type", "application/pdf").partition("/")
        email.add_attachment(
            data, maintype=maintype, subtype=subtype, filename=attachment["filename"]
        )
    return email


def _attachment_path(attachment: dict[str, str]) -> str:
    """A file under the media root, or a document's PDF: the one stored when it was issued,
    rendered now if that did not happen (the mail must not go without it)."""
    if "document_id" not in attachment:
        return attachment["path"]
    from portal.documents.models import Document
    from portal.documents.pdf import store_pdf

    document = db.session.get_one(Document, int(attachment["document_id"]))
    if not document.pdf_key:
        with atomic():
            store_pdf(document)
    assert document.pdf_key is not None
    return document.pdf_key


def _transmit(email: EmailMessage, message_id: int) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{utcnow():%Y%m%d-%H%M%S}-{message_id}.eml").write_bytes(email.as_bytes())
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _claim(limit: int) -> list[int]:
    """Marks due messages as 'sending' so a second worker does not send them too."""
    now = utcnow()
    with atomic():
        ids = list(
            db.session.scalars(
                sa.select(OutboxMessage.id)
                .where(
                    sa.or_(
                        sa.and_(
                            OutboxMessage.status == MailStatus.PENDING,
                            OutboxMessage.next_attempt_at <= now,
                        ),
                        sa.and_(
                            OutboxMessage.status == MailStatus.SENDING,
                            OutboxMessage.next_attempt_at <= now - STALE_SENDING,
                        ),
                    )
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(limit)
            )
        )
        if ids:
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(status=MailStatus.SENDING, next_attempt_at=now)
            )
    return ids


def deliver_due(limit: int = 50) -> tuple[int, int]:
    """Sends what is due; returns (sent, failed attempts). Never raises for a bad message."""
    sent = failed = 0
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    for message_id in _claim(limit):
        message = db.session.get(OutboxMessage, message_id)
        if message is None:
            continue
        try:
            if not message.is_rendered:
                message.render()  # kept with the attempt below, so staff see the subject
            _transmit(build_email(message), message.id)
        except Exception as error:  # any failure is retried; the message is never lost
            failed += 1
            with atomic():
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                if message.attempts >= max_attempts:
                    message.status = MailStatus.FAILED
                    log.error("mail %s failed permanently: %s", message.id, message.last_error)
                else:
                    message.status = MailStatus.PENDING
                    message.next_attempt_at = utcnow() + backoff(message.attempts)
                    log.warning("mail %s failed, retrying: %s", message.id, message.last_error)
        else:
            sent += 1
            with atomic():
                message.attempts += 1
                message.status = MailStatus.SENT
                message.sent_at = utcnow()
                message.last_error = None
    return sent, failed


def retry(message: OutboxMessage) -> None:
    """Staff send a permanently failed message again."""
    with atomic():
        message.status = MailStatus.PENDING
        message.attempts = 0
        message.next_attempt_at = utcnow()
