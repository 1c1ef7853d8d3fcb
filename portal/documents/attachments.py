"""Attachments on documents: the type is taken from the bytes, never from the name.

Accepted: PDF, JPEG, PNG, WebP (checked by Pillow) and CSV or plain text (UTF-8 without
control bytes); the file's extension must say the same thing as its content, so a program
renamed to photo.jpg is refused. Files are content-addressed under MEDIA_ROOT/attachments.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path, PurePath

from flask import current_app
from PIL import Image, UnidentifiedImageError

from portal.accounts.models import User
from portal.core.db import atomic, db
from portal.core.errors import DomainError
from portal.core.i18n import gettext as _
from portal.documents.models import Document, DocumentAttachment, EventKind
from portal.documents.services import add_event

MAX_BYTES = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/webp": {".webp"},
    "text/csv": {".csv"},
    "text/plain": {".txt", ".csv"},
}
_CONTROL = set(range(0, 9)) | {11, 12} | set(range(14, 32)) | {127}


class AttachmentRefused(DomainError):
    pass


@dataclass(frozen=True)
class Sniffed:
    content_type: str


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(ord(char) in _CONTROL for char in text[:65536])


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among those we accept; None otherwise."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            found = probe.format
            probe.verify()
        if found in IMAGE_TYPES:
            return IMAGE_TYPES[found]
        return None
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError):
        pass
    if _is_text(data):
        return "text/plain"
    return None


def clean_filename(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip()
    return "".join(char for char in base if char.isprintable())[:200] or "attachment"


def content_type_for(filename: str, data: bytes) -> str:
    """The checked content type, or AttachmentRefused with a message for the person."""
    if not data:
        raise AttachmentRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise AttachmentRefused(_("The file is larger than 10 MB."))
    found = sniff(data)
    if found is None:
        raise AttachmentRefused(_("Only PDF, JPEG, PNG, WebP, CSV and text files can be attached."))
    extension = PurePath(filename).suffix.lower()
    if extension not in EXTENSIONS[found]:
        raise AttachmentRefused(
            _(
                "The file's content does not match its name %(name)s: it is not what the "
                "extension says.",
                name=filename,
            )
        )
    if found == "text/plain" and extension == ".csv":
        return "text/csv"
    return found


def attachment_dir() -> Path:
    return Path(current_app.config["MEDIA_ROOT"]) / "attachments"


def attachment_path(attachment: DocumentAttachment) -> Path:
    return attachment_dir() / attachment.storage_key


def attach(
    document: Document, *, filename: str, data: bytes, internal: bool, actor: User
) -> DocumentAttachment:
    """Checks and stores a file on a document, with an "attached" event."""
    name = clean_filename(filename)
    content_type = content_type_for(name, data)
    key = hashlib.sha256(data).hexdigest()[:40]
    with atomic():
        folder = attachment_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / key
        if not target.exists():  # content-addressed: the same bytes are stored once
            target.write_bytes(data)
        attachment = DocumentAttachment(
            document_id=document.id,
            filename=name,
            content_type=content_type,
            size=len(data),
            storage_key=key,
            uploaded_by_id=actor.id,
            internal=internal,
        )
        db.session.add(attachment)
        add_event(
            document,
            EventKind.ATTACHED,
            actor=actor,
            note=name + (f" ({_('internal')})" if internal else ""),
        )
        db.session.flush()
    return attachment
