"""Tags on documents: free labels staff use to group and find documents."""

from __future__ import annotations

import re

from portal.accounts.models import User
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import Document, DocumentTag, EventKind
from portal.documents.services import add_event

MAX_LENGTH = 40


class InvalidTag(DomainError):
    pass


def normalise_tag(raw: str) -> str:
    """Lower case, single spaces; a tag is what a person types, compared without case."""
    tag = re.sub(r"\s+", " ", raw).strip().lower()
    if not tag:
        raise InvalidTag(_("Enter a tag."))
    if len(tag) > MAX_LENGTH:
        raise InvalidTag(_("A tag has at most %(n)d characters.", n=MAX_LENGTH))
    return tag


def add_tag(document: Document, raw: str, *, actor: User) -> str:
    """Tags a document; tagging twice changes nothing."""
    tag = normalise_tag(raw)
    with atomic():
        if db.session.get(DocumentTag, (document.id, tag)) is None:
            db.session.add(DocumentTag(document_id=document.id, tag=tag))
            add_event(document, EventKind.TAGGED, actor=actor, note=tag)
            db.session.flush()
    return tag


def remove_tag(document: Document, raw: str, *, actor: User) -> None:
    tag = normalise_tag(raw)
    with atomic():
        found = db.session.get(DocumentTag, (document.id, tag))
        if found is not None:
            db.session.delete(found)
            add_event(document, EventKind.UNTAGGED, actor=actor, note=tag)
            db.session.flush()
