"""seed-demo fills the CRM; seed-scale --leads makes consistent data in bulk."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.leads.models import Lead
from crm.pipeline.models import Opportunity, StageChange
from crm.pipeline.services import weighted
from shared.extensions import db


def test_seed_demo_gives_a_live_pipeline(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        statuses = set(db.session.scalars(select(Lead.status)))
        assert {"new", "contacted", "qualified", "converted", "disqualified"} <= statuses
        outcomes = set(db.session.scalars(select(Opportunity.status)))
        assert outcomes == {"open", "won", "lost"}
        assert db.session.scalar(select(func.count()).select_from(Activity)) >= 5


def test_seed_scale_leads_is_consistent(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--partners", "50", "--leads",
                                                "500", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 500
        converted = db.session.scalars(select(Lead).where(Lead.status == "converted")).all()
        assert len(converted) == 100
        opportunities = {o.id: o for o in db.session.scalars(select(Opportunity))}
        assert len(opportunities) == 100
        for lead in converted:
            opportunity = opportunities[lead.opportunity_id]
            assert opportunity.lead_id == lead.id and opportunity.status == "open"
            assert opportunity.probability == opportunity.stage.probability
            assert opportunity.weighted_revenue == weighted(opportunity.expected_revenue,
                                                            opportunity.probability)
            assert isinstance(opportunity.weighted_revenue, Decimal)
        assert db.session.scalar(select(func.count()).select_from(StageChange)) == 100
