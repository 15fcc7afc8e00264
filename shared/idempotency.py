"""The Idempotency-Key store: a retried POST gets the first answer and writes nothing more.

A key is reserved (a row with no response yet) in its own transaction before the handler runs,
so two concurrent requests with one key cannot both run; the answer is stored afterwards.
Server errors release the key so the client can retry.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base, transactional, utcnow
from shared.errors import Conflict, ValidationError
from shared.extensions import db
from shared.upsert import insert_ignore


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __audited__ = False
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


@dataclass
class StoredResponse:
    status_code: int
    body: str


def request_hash(method: str, path: str, body: bytes) -> str:
    """Hash of what the request asks for; JSON bodies are compared by content, not spacing."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canonical).hexdigest()


def _expiry_cutoff() -> datetime:
    return utcnow() - timedelta(hours=current_app.config["IDEMPOTENCY_KEY_HOURS"])


@transactional
def reserve(user_id: int, key: str, req_hash: str) -> StoredResponse | None:
    """Reserve `key` for this request, or return the stored answer of its first use."""
    if not key or len(key) > 255:
        raise ValidationError(fields={"Idempotency-Key": _("Must be 1 to 255 characters.")})
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < _expiry_cutoff()))
    inserted_id = db.session.scalar(insert_ignore(
        IdempotencyKey, {"user_id": user_id, "key": key, "request_hash": req_hash,
                         "created_at": utcnow()}, ["user_id", "key"])
        .returning(IdempotencyKey.id))
    if inserted_id is not None:
        return None
    row = db.session.execute(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).scalar_one()
    if row.request_hash != req_hash:
        raise ValidationError(_("This Idempotency-Key was already used with another request."),
                              code="idempotency_key_reused")
    if row.status_code is None:
        raise Conflict(_("A request with this Idempotency-Key is still being processed."),
                       code="idempotency_in_progress")
    return StoredResponse(row.status_code, row.response_body or "")


@transactional
def store(user_id: int, key: str, status_code: int, body: str) -> None:
    row = db.session.execute(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)).scalar_one()
    row.status_code = status_code
    row.response_body = body


@transactional
def release(user_id: int, key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
