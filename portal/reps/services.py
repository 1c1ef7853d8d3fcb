"""Rep commands: internal notes on partners (partners never see them)."""

from __future__ import annotations

import logging

from portal.accounts.models import Company, CompanyNote, User
from portal.accounts.services import FieldError
from portal.core.db import atomic, db
from portal.core.i18n import gettext as _

log = logging.getLogger(__name__)

MAX_NOTE = 5000


def add_note(company: Company, body: str, *, author: User) -> CompanyNote:
    text = body.strip()
    if not text:
        raise FieldError("body", _("Write the note first."))
    if len(text) > MAX_NOTE:
        raise FieldError("body", _("Keep the note under %(count)d characters.", count=MAX_NOTE))
    with atomic():
        note = CompanyNote(company_id=company.id, author_id=author.id, body=text)
        db.session.add(note)
    log.info("note on company %s by user %s", company.id, author.id)
    return note
