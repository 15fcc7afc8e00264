from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.db import Base, utcnow

ROLES = ("admin", "sales", "warehouse", "finance", "support")


class User(Base):
    __tablename__ = "users"
    # Secrets, and what changes on its own (a sign-in, a language switch) rather than by an
    # edit someone should answer for.
    __audit_exclude__ = frozenset({"password_hash", "session_version", "last_login_at",
                                   "locale"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    # Bumped when the password is reset or the user deactivated (with every session of the
    # user ended, UserSession); kept as a count of those events.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return sorted((r.role for r in self.role_rows), key=ROLES.index)

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.role_rows)

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    # The UserSession id this request was signed in with (set by the sign-in and by the
    # session loader; not a column). Flask-Login keeps it in the signed session cookie.
    session_token = None

    def get_id(self) -> str:
        if not self.session_token:
            raise RuntimeError("sign a user in through services.start_session")
        return self.session_token


class UserRole(Base):
    __tablename__ = "user_roles"
    __audit_as__ = ("users", "user_id")

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


TOKEN_SCOPES = ("full", "read")


class ApiToken(Base):
    """A bearer token of the API. Only its hash is stored; `read` tokens may only GET. Its
    creation and revocation are recorded on its user's history (never the hash)."""

    __tablename__ = "api_tokens"
    __audit_as__ = ("users", "user_id")
    __audit_exclude__ = frozenset({"token_hash", "last_used_at"})
    __table_args__ = (CheckConstraint("scope IN ('full', 'read')", name="scope_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    scope: Mapped[str] = mapped_column(String(10), default="full", server_default="full")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]  # None: until revoked
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """One failed sign-in; counted per email and per client address to throttle guessing."""

    __tablename__ = "login_failures"
    __audited__ = False
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "created_at"),
        Index("ix_login_failures_ip_at", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)




class UserSession(Base):
    """One signed-in browser session. Its random id is what the (signed) session cookie
    holds; a cookie whose session is ended or unknown signs nobody in. Signing out ends this
    session only; a password reset or a deactivation ends every session of the user."""

    __tablename__ = "user_sessions"
    __audited__ = False

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
