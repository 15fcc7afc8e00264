"""Pipeline stages, opportunities, their stage history and the lost-reason list."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from erp.sales.models import SalesOrder
from shared.db import Base, Money, Quantity, Rate, trigram_indexes, utcnow

OPPORTUNITY_STATUSES = ("open", "won", "lost")


class Stage(Base):
    __tablename__ = "pipeline_stages"
    __table_args__ = (
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        CheckConstraint("NOT (is_won AND is_lost)", name="won_or_lost"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sequence: Mapped[int] = mapped_column(default=10)
    probability: Mapped[Rate] = mapped_column(default=Decimal("0"))
    is_won: Mapped[bool] = mapped_column(default=False)
    is_lost: Mapped[bool] = mapped_column(default=False)

    @property
    def is_open(self) -> bool:
        return not (self.is_won or self.is_lost)


class LostReason(Base):
    """The admin-editable list the lose form offers (a typed reason is accepted too)."""

    __tablename__ = "lost_reasons"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Opportunity(Base):
    __tablename__ = "opportunities"
    __table_args__ = (
        CheckConstraint("expected_revenue >= 0", name="expected_revenue_positive"),
        CheckConstraint("probability >= 0 AND probability <= 100", name="probability_range"),
        # The board and the pipeline figures read open opportunities per stage (and owner),
        # newest first; the list filters by status.
        Index("ix_opportunities_status_stage", "status", "stage_id", "id"),
        Index("ix_opportunities_owner_status", "owner_id", "status", "stage_id", "id"),
        Index("ix_opportunities_status_id", "status", "id"),
        *trigram_indexes("opportunities", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="RESTRICT"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default="open")
    expected_revenue: Mapped[Money] = mapped_column(default=Decimal("0"))
    probability: Mapped[Rate] = mapped_column(default=Decimal("0"))
    # expected_revenue x probability / 100, rounded half up; kept by the services so the board
    # and the pipeline figures are plain SUMs.
    weighted_revenue: Mapped[Money] = mapped_column(default=Decimal("0"))
    expected_close_date: Mapped[date | None]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    # The lead it came from. Not a foreign key: leads.opportunity_id points here already, and
    # a cycle of foreign keys would complicate deletes and migrations for no gain.
    lead_id: Mapped[int | None] = mapped_column(index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    stage: Mapped[Stage] = relationship(lazy="joined", innerjoin=True)
    # The products the customer is expected to buy; carried into the quotation made from it.
    lines: Mapped[list[OpportunityLine]] = relationship(
        back_populates="opportunity", order_by="OpportunityLine.sequence",
        cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        """Neither won nor lost: it still moves through the stages."""
        return self.status == "open"


class OpportunityLine(Base):
    """An expected product line of an opportunity (Odoo's sale_crm "expected products")."""

    __tablename__ = "opportunity_lines"
    __audit_as__ = ("opportunities", "opportunity_id")
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price IS NULL OR unit_price >= 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"),
                                            index=True)
    quantity: Mapped[Quantity]
    # None: the product's list price when the quotation is made.
    unit_price: Mapped[Money | None]

    opportunity: Mapped[Opportunity] = relationship(back_populates="lines")
    product = relationship("Product", lazy="joined", innerjoin=True)


class StageChange(Base):
    """One row per stage an opportunity entered: its stage history."""

    __tablename__ = "opportunity_stage_changes"
    __audited__ = False  # the audit trail records the opportunity's own change already

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        ForeignKey("opportunities.id", ondelete="CASCADE"), index=True)
    from_stage_id: Mapped[int | None] = mapped_column(
        ForeignKey("pipeline_stages.id", ondelete="SET NULL"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("pipeline_stages.id",
                                                        ondelete="RESTRICT"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id], lazy="joined")


# CRM owns the link from a sales order to the opportunity it was quoted from, as Odoo's
# sale_crm adds opportunity_id to sale.order and Tryton's sale_opportunity makes an
# opportunity a sale's origin: sales keeps a plain column, CRM declares the foreign key on it
# here and checks the value before an order is written (services.check_quoted_opportunity).
# The key exists on PostgreSQL; SQLite cannot add one to an existing table without rebuilding
# it (and a rebuild with foreign keys on would cascade-delete the orders' lines), so there
# the subscriber's check is the guard.
SalesOrder.__table__.append_constraint(
    ForeignKeyConstraint(["opportunity_id"], [Opportunity.id], ondelete="SET NULL")
    .ddl_if(dialect="postgresql"))
