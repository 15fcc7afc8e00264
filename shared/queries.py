"""Query helpers shared by lists, exports, reports and the API."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, or_


def search(stmt: Select, q: str | None, columns: Sequence[Any]) -> Select:
    """Free-text ?q=: every word must appear in one of `columns` (case-insensitive)."""
    for word in (q or "").split()[:5]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(or_(*(col.ilike(f"%{escaped}%", escape="\\") for col in columns)))
    return stmt
