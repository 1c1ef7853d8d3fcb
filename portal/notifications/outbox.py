"""Enqueue mail in the caller's transaction; the worker in delivery.py sends it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from portal.core.db import db
from portal.notifications.models import OutboxMessage


def absolute_url(endpoint: str, **values: Any) -> str:
    """Links in mail point at PUBLIC_URL, whatever host the request (if any) came from."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def render(template: str, *, language: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, plain text and HTML of templates/mail/<template>.{subject,txt,html}."""
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    return " ".join(subject.split()), text, html


def enqueue(
    template: str,
    *,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    cc: list[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """Adds the message to the current transaction: it exists if and only if the change commits."""
    subject, text, html = render(template, language=language, context=context)
    message = OutboxMessage(
        template=template,
        recipient=to,
        cc=",".join(cc or []),
        subject=subject[:300],
        body_text=text,
        body_html=html,
        attachments=attachments or [],
    )
    db.session.add(message)
    return message
