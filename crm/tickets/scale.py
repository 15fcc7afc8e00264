"""seed-scale --tickets N: N tickets over the last year in every status and priority, with
about COMMENTS_PER_TICKET comments each, written with bulk inserts and numbered from the
TCK sequence, their SLA fields as the services would leave them."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm.tickets import sla
from crm.tickets.models import PRIORITIES, TICKET_STATUSES, Ticket, TicketComment
from shared.db import utcnow
from shared.extensions import db
from shared.partners.models import Partner
from shared.scale import ITEMS, ScaleContext, bulk_insert, max_id
from shared.sequences.services import next_numbers

COMMENTS_PER_TICKET = 10
SUBJECTS = ["无法开机 Does not switch on", "发票金额有误 Wrong invoice amount",
            "Delivery is late", "缺少配件 Missing parts", "Request for a manual",
            "退货 Return request", "Damaged on arrival", "Payment not recorded"]


def scale_tickets(count: int, ctx: ScaleContext,
                  comments_per_ticket: int | None = None) -> None:
    from crm.tickets.services import ensure_defaults, policies, support_agent_ids

    rng = ctx.rng
    per_ticket = COMMENTS_PER_TICKET if comments_per_ticket is None else comments_per_ticket
    ensure_defaults()
    hours = {p.priority: (p.first_response_hours, p.resolution_hours) for p in policies()}
    partners = ctx.made.get("partners") or db.session.scalars(
        select(Partner.id).where(Partner.is_customer.is_(True)).order_by(Partner.id)
        .limit(50_000)).all()
    if not partners:
        raise RuntimeError("seed-scale --tickets needs customers (--partners N)")
    agents = support_agent_ids() or [None]
    numbers = next_numbers("ticket", count)
    first_id = max_id(Ticket) + 1
    now = utcnow()
    span = timedelta(days=365).total_seconds()

    def rows():
        for n, number in enumerate(numbers):
            created = now - timedelta(seconds=span * (count - n) / count)
            priority = rng.choice(PRIORITIES)
            # tickets older than two weeks are almost all finished; recent ones in any status
            status = rng.choice(TICKET_STATUSES[3:]) if created < now - timedelta(days=14) \
                and rng.random() < 0.995 else rng.choice(TICKET_STATUSES)
            first_h, res_h = hours[priority]
            frd, rd = sla.deadlines(created, first_h, res_h)
            answered = status != "new" or rng.random() < 0.3
            fra = created + timedelta(minutes=rng.randint(5, first_h * 75)) if answered \
                else None
            fra = min(fra, now) if fra else None
            finished = status in ("resolved", "closed")
            resolved = min(created + timedelta(minutes=rng.randint(30, res_h * 70)), now) \
                if finished else None
            yield {"number": number, "partner_id": rng.choice(partners),
                   "subject": f"{rng.choice(SUBJECTS)} · {rng.choice(ITEMS)}",
                   "description": "Customer called about it.", "priority": priority,
                   "status": status, "assignee_id": rng.choice(agents),
                   "created_at": created, "first_response_due": frd, "resolution_due": rd,
                   "first_response_at": fra, "resolved_at": resolved,
                   "closed_at": resolved if status == "closed" else None,
                   "next_deadline": sla.next_deadline(finished, fra, frd, rd),
                   "sla_breached": sla.met_late(fra, frd, resolved, rd),
                   "comment_count": per_ticket, "auto_assigned": False}

    with ctx.progress(count, "tickets") as bar:
        bulk_insert(Ticket, rows(), bar)

    def comment_rows():
        for n in range(count):
            ticket_id = first_id + n
            created = now - timedelta(seconds=span * (count - n) / count)
            for c in range(per_ticket):
                yield {"ticket_id": ticket_id, "body": f"Reply {c + 1}: checked with the "
                       f"warehouse, 已联系仓库。", "internal": c % 3 == 2,
                       "author_id": rng.choice(agents),
                       "created_at": created + timedelta(minutes=10 * (c + 1))}

    with ctx.progress(count * per_ticket, "ticket comments") as bar:
        bulk_insert(TicketComment, comment_rows(), bar)
    ctx.made["tickets"] = list(range(first_id, first_id + count))
