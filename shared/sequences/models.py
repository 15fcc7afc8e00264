from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db import Base


class Sequence(Base):
    __tablename__ = "sequences"
    __table_args__ = (UniqueConstraint("code", "year"),)
    __audited__ = False

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(default=0)  # 0: the sequence does not restart yearly
    prefix: Mapped[str] = mapped_column(String(40))  # may contain {year}
    padding: Mapped[int] = mapped_column(default=5)
    next_value: Mapped[int] = mapped_column(default=1)
