"""seed-demo gives the helpdesk something to show; seed-scale --tickets makes consistent
tickets and comments in bulk; the support figures and the weekly chart count right."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlalchemy import func, select

from crm.tickets import services, sla
from crm.tickets.models import PRIORITIES, TICKET_STATUSES, Ticket, TicketComment
from shared.db import utcnow
from shared.extensions import db


def test_seed_demo_has_tickets_in_every_status_and_priority(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        pairs = set(db.session.execute(select(Ticket.status, Ticket.priority)).all())
        assert pairs == {(s, p) for s in TICKET_STATUSES for p in PRIORITIES}
        now = utcnow()
        tickets = db.session.scalars(select(Ticket)).all()
        assert any(t.breached(now) and not t.is_finished for t in tickets)
        assert any(t.breached(now) and t.is_finished for t in tickets)
        assert min(t.created_at for t in tickets) < now - timedelta(weeks=9)
        comments = db.session.scalars(select(TicketComment)).all()
        assert any(c.internal for c in comments) and any(not c.internal for c in comments)
        weeks = services.weekly_counts()
        assert sum(opened for _m, opened, _r in weeks) == len(tickets)
        assert all(opened for _m, opened, _r in weeks)


def test_seed_scale_tickets_is_consistent(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--partners", "20", "--tickets",
                                                "300", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tickets = db.session.scalars(select(Ticket).order_by(Ticket.id)).all()
        assert [t.number for t in tickets] == [f"TCK-{n:05d}" for n in range(1, 301)]
        assert db.session.scalar(select(func.count()).select_from(TicketComment)) == 3000
        for t in tickets:
            assert t.next_deadline == sla.next_deadline(
                t.is_finished, t.first_response_at, t.first_response_due, t.resolution_due)
            assert t.sla_breached == sla.met_late(t.first_response_at, t.first_response_due,
                                                  t.resolved_at, t.resolution_due)
        assert {t.status for t in tickets} == set(TICKET_STATUSES)
    # the sequence continues after the bulk numbers
    with app.app_context():
        from shared.partners.models import Partner
        partner = db.session.scalar(select(Partner.id).limit(1))
        ticket = services.create_ticket({"partner_id": partner, "subject": "after"})
        assert ticket.number == "TCK-00301"


def test_support_figures_due_today_and_weekly_counts(ctx, desk, support):
    # Tuesday 1 December 2026, 09:00 in Shanghai
    t0 = datetime.fromisoformat("2026-12-01T09:00:00+08:00")
    with time_machine.travel(t0, tick=False):
        urgent = desk.open(priority="urgent", assignee_id=support.user_id)  # due 10:00
        desk.open(priority="normal")  # first response due 17:00 today
        desk.open(priority="low")  # due tomorrow 09:00
        done = desk.open(priority="low")
        support.patch(f"/tickets/{done['id']}", json={"status": "resolved"})
    with time_machine.travel(t0 + timedelta(hours=2), tick=False):
        figures = services.support_figures(support.user_id)
        assert (figures.open, figures.breached, figures.due_today, figures.mine) == (3, 1, 1, 1)
        due = services.ticket_query(due_today=True, active=True, by_deadline=True)
        assert [t.priority for t in db.session.scalars(due)] == ["normal"]
        weeks = services.weekly_counts(weeks=2)
        assert [(str(m), o, r) for m, o, r in weeks] == [("2026-11-23", 0, 0),
                                                          ("2026-11-30", 4, 1)]
    assert urgent["number"] == "TCK-00001"
