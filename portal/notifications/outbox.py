"""Enqueue mail in the caller's transaction; the worker in delivery.py renders and sends it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from portal.core.db import inserted
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
    context = {key: _from_json(value) for key, value in context.items()}
    with force_locale(language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", subject=subject, **context)
    return " ".join(subject.split()), text, html


# The context is stored as JSON until the worker renders it: amounts must come back as
# Decimals (the money filter formats them exactly) and dates as dates.
def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {str(key): _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)  # lazy strings, enums: what the template would print


def _from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((tag, raw),) = value.items()
            if tag == "$decimal":
                return Decimal(raw)
            if tag == "$datetime":
                return datetime.fromisoformat(raw)
            if tag == "$date":
                return date.fromisoformat(raw)
        return {key: _from_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    return value


def enqueue(
    template: str,
    *,
    to: str,
    context: dict[str, Any],
    language: str = "en",
    cc: list[str] | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """Adds the message to the current transaction: it exists if and only if the change commits.
    Only the template, language and context are stored; the worker renders them. A context of
    {"prerendered": {"subject", "text", "html"}} (an admin's template, rendered by
    templates_db.py) is stored as the finished message. Inserted at once, not left to the
    ORM's flush, which cost twice the Python on every order placed."""
    values: dict[str, Any] = {
        "template": template,
        "recipient": to,
        "cc": ",".join(cc or []),
        "language": language or "en",
        "attachments": attachments or [],
    }
    prerendered = context.get("prerendered")
    if prerendered:
        values["rendered_subject"] = str(prerendered["subject"])[:300]
        values["rendered_text"] = str(prerendered["text"])
        values["rendered_html"] = str(prerendered["html"])
    else:
        values["context"] = _to_json(context)
    return inserted(OutboxMessage, **values)
