"""Admin-edited mail templates (EmailTemplate rows), rendered in Jinja's sandbox.

An admin's template may only use the values it is given and harmless filters: the sandbox
refuses attribute tricks (`__class__`, `mro`...) and unsafe calls. Without a row for the
code and language, the file template under templates/mail/ is used. A template that fails
to render never blocks what sent the mail: the file template takes over, and the log says so.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from typing import Any, NamedTuple

from flask import render_template_string
from flask_babel import force_locale
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from portal.core.db import db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.core.templating import money, quantity, when
from portal.notifications.models import EmailTemplate

log = logging.getLogger(__name__)

# The admin's HTML is the message body; the mail layout around it is ours.
_LAYOUT = '{% extends "mail/_layout.html" %}{% block body %}{{ body|safe }}{% endblock %}'


class TemplateProblem(DomainError):
    """The admin's template does not compile or render; `message` says where."""


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


def _environment() -> SandboxedEnvironment:
    """A fresh sandbox with autoescaping and our formatting filters."""
    environment = SandboxedEnvironment(autoescape=True)
    environment.filters.update(money=money, qty=quantity, when=when)
    return environment


def admin_template(code: str, language: str) -> EmailTemplate | None:
    return db.session.get(EmailTemplate, (code, language))


def html_to_text(html: str) -> str:
    """A plain-text part for the admin's HTML: line breaks kept, tags dropped."""
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</h[1-6]>|</li>|</tr>", "\n", html)
    text = re.sub(r"(?is)<a\s[^>]*href=\"([^\"]*)\"[^>]*>(.*?)</a>", r"\2 (\1)", text)
    text = unescape(re.sub(r"(?s)<[^>]+>", "", text))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def template_error(source: str, *, sample: dict[str, Any]) -> str | None:
    """Why this template source cannot be used (syntax, or what the sandbox refuses when it
    renders the sample values), or None when it works."""
    try:
        _environment().from_string(source).render(**sample)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        return f"{error} (line {line})" if line else str(error)
    except Exception as error:  # a filter given the wrong kind of value, and the like
        return f"{type(error).__name__}: {error}"
    return None


def render_source(
    subject_source: str, body_source: str, context: dict[str, Any], *, language: str = "en"
) -> RenderedEmail:
    """An admin's subject and HTML body rendered in the sandbox, inside the mail layout:
    (subject, text, html), the html a whole page. Raises jinja2's TemplateError."""
    environment = _environment()
    with force_locale(language):
        subject = " ".join(environment.from_string(subject_source).render(**context).split())
        body = environment.from_string(body_source).render(**context)
        html = render_template_string(_LAYOUT, body=body, subject=subject)
    return RenderedEmail(subject, html_to_text(body), html)


def render_sandboxed(
    subject_source: str, body_source: str, context: dict[str, Any], *, language: str = "en"
) -> RenderedEmail:
    """`render_source`, with jinja's errors as a TemplateProblem the admin screen can show
    next to the field."""
    try:
        return render_source(subject_source, body_source, context, language=language)
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        detail = _("%(error)s (line %(line)s)", error=error, line=line) if line else str(error)
        raise TemplateProblem(_("The template has an error: %(error)s", error=detail)) from error
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        detail = f"{type(error).__name__}: {error}"
        raise TemplateProblem(_("The template has an error: %(error)s", error=detail)) from error


def render_email_template(
    code: str, language: str, context: dict[str, Any], fallback: str
) -> RenderedEmail:
    """The admin's version of `code` in this language, else the file template `fallback`
    (templates/mail/<fallback>.{subject.txt,txt,html})."""
    row = admin_template(code, language)
    if row is not None:
        try:
            return render_source(row.subject, row.body_html, context, language=language)
        except Exception as error:  # the admin's template must never stop what sends the mail
            log.warning("mail template %s/%s failed, using the file: %s", code, language, error)
    from portal.notifications.outbox import render

    subject, text, html = render(fallback, language=language, context=context)
    return RenderedEmail(subject, text, html)


def outbox_context(code: str, language: str, context: dict[str, Any]) -> dict[str, Any]:
    """What to give `outbox.enqueue`: the admin's template rendered now (stored finished), or
    the context for the worker to render the file template with."""
    row = admin_template(code, language)
    if row is None:
        return context
    try:
        rendered = render_source(row.subject, row.body_html, context, language=language)
    except Exception as error:  # the admin's template must never stop what sends the mail
        log.warning("mail template %s/%s failed, using the file: %s", code, language, error)
        return context
    return {"prerendered": rendered._asdict()}
