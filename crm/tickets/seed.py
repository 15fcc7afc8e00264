"""seed-demo: forty tickets over the last eleven weeks for the demo support user
(Zhao Min 赵敏), in every status and priority, some breached, some with public replies and
internal notes, linked to the customers' own orders and invoices where they have some."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crm.tickets import services
from crm.tickets.models import PRIORITIES, Ticket, TicketComment
from erp.invoicing.models import CUSTOMER_INVOICE, Invoice
from erp.sales.models import SalesOrder
from shared.db import transactional, utcnow
from shared.extensions import db
from shared.partners.models import Partner
from shared.users.models import User

SUBJECTS = [
    ("台灯不亮 Desk lamp does not light up", "收到的台灯有两只不亮。Two of the lamps do not "
     "light up."),
    ("Missing chairs in the delivery", "We ordered 12 chairs and received 10."),
    ("发票抬头错误 Wrong company name on the invoice", "请重开发票。Please reissue it."),
    ("Request for assembly instructions", "Where can we find the shelf manual?"),
    ("显示器有坏点 Dead pixels on a monitor", "One monitor shows dead pixels."),
    ("Payment made but invoice still open", "We paid last week by bank transfer."),
    ("货架尺寸咨询 Shelf dimensions", "请提供货架的尺寸图。"),
    ("Kettle leaking", "The kettle leaks at the base after a week."),
]
REPLIES = ["您好，我们已经收到您的问题，正在处理。We are looking into it.",
           "We have arranged a replacement, it ships tomorrow.",
           "请提供订单号和照片。Could you send a photo and the order number?"]
NOTES = ["仓库确认少发两件。Warehouse confirms two items short.",
         "Checked with finance: payment arrived, allocate it.",
         "Supplier batch 2026-10 had defects; see the quality report."]
# outcome per ticket, cycled: the status it ends in
OUTCOMES = ["resolved", "closed", "open", "pending", "new", "resolved", "closed", "open"]


def _user(email: str) -> int | None:
    return db.session.scalar(select(User.id).where(User.email == email))


def seed_tickets() -> None:
    customers = db.session.scalars(select(Partner.id).where(Partner.is_customer.is_(True))
                                   .order_by(Partner.id).limit(12)).all()
    if not customers:
        return
    support, sales = _user("support@example.com"), _user("sales@example.com")
    orders = dict(db.session.execute(select(SalesOrder.partner_id, SalesOrder.id)
                                     .order_by(SalesOrder.id)).all())
    invoices = dict(db.session.execute(
        select(Invoice.partner_id, Invoice.id).where(Invoice.kind == CUSTOMER_INVOICE)
        .order_by(Invoice.id)).all())
    for n in range(40):
        partner_id = customers[n % len(customers)]
        subject, description = SUBJECTS[n % len(SUBJECTS)]
        ticket = services.create_ticket({
            "partner_id": partner_id, "subject": subject, "description": description,
            "priority": PRIORITIES[(n + n // len(OUTCOMES)) % len(PRIORITIES)],
            "assignee_id": support if n % 5 else None,
            "sales_order_id": orders.get(partner_id) if n % 3 == 0 else None,
            "invoice_id": invoices.get(partner_id) if n % 4 == 1 else None,
        }, user_id=sales if n % 6 == 0 else support)
        outcome = OUTCOMES[n % len(OUTCOMES)]
        if outcome != "new" or n % 2:
            services.add_comment(ticket.id, {"body": REPLIES[n % len(REPLIES)]},
                                 user_id=support)
        if n % 3 == 1:
            services.add_comment(ticket.id, {"body": NOTES[n % len(NOTES)], "internal": True},
                                 user_id=support)
        if outcome != "new" and outcome != "open":
            services.move_ticket(ticket.id, outcome, user_id=support)
        elif outcome == "open":
            services.move_ticket(ticket.id, "open", user_id=support)
        # Spread over twelve weeks: the newest few are still within their deadlines.
        days_ago = 0 if n >= 36 else 77 - n * 77 // 36  # within the 12-week chart
        first_reply_hours = 30 if n % 5 == 0 else 1 if n % 2 else 0.25
        _backdate(ticket.id, timedelta(days=days_ago, hours=n % 7),
                  timedelta(hours=first_reply_hours),
                  timedelta(hours=150 if n % 4 == 0 else 3 + n % 5))
    if sales:
        from crm.activities import services as activities
        from shared.dates import company_today

        for index, ticket_id in enumerate(db.session.scalars(
                select(Ticket.id).where(Ticket.status == "open").order_by(Ticket.id)
                .limit(2))):
            activities.create_activity({
                "kind": "call", "subject": "回访客户 Call the customer back",
                "due_date": company_today() + timedelta(days=index - 1),
                "ticket_id": ticket_id}, user_id=sales)


@transactional
def _backdate(ticket_id: int, age: timedelta, first_reply: timedelta,
              resolution: timedelta) -> None:
    """Move a demo ticket back in time: created `age` ago, its comments from `first_reply`
    after that an hour apart, resolved `resolution` after creation; the deadlines and SLA
    figures are then computed again as the services would."""
    ticket = services.get_ticket(ticket_id, lock=True)
    now = utcnow()
    created = now - age
    ticket.created_at = created
    rows = db.session.scalars(select(TicketComment).where(TicketComment.ticket_id == ticket_id)
                              .order_by(TicketComment.id)).all()
    for index, comment in enumerate(rows):
        comment.created_at = min(created + first_reply + timedelta(hours=index), now)
    public = [c.created_at for c in rows if not c.internal]
    ticket.first_response_at = public[0] if public else None
    if ticket.resolved_at is not None:
        ticket.resolved_at = min(created + resolution, now)
        if ticket.closed_at is not None:
            ticket.closed_at = ticket.resolved_at
    services._set_deadlines(ticket)
