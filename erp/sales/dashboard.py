"""Sales orders' widgets on the role dashboards (wired in erp.sales.init_app).

Sales: my quotations waiting (draft orders where I am the salesperson) and my customers with
overdue invoices ("my customers": those I have an order with). Warehouse: the orders ready to
deliver.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, case, func, select

from erp.invoicing.models import CUSTOMER_INVOICE, Invoice
from erp.invoicing.reports import at_risk_customers
from erp.invoicing.services import overdue_condition
from erp.sales.models import DRAFT, SalesOrder
from erp.sales.services import to_deliver_query
from shared import dashboards as dash
from shared.dates import company_today
from shared.extensions import db
from shared.money import round_money
from shared.partners.models import Partner
from shared.permissions import can
from shared.registry import Registry
from shared.reports import ReportQuery
from shared.ui import money

AT_RISK_ROWS = 8


def register(registry: Registry) -> None:
    registry.add_widget("my_quotations", ("sales",), my_quotations, order=30)
    registry.add_widget("my_overdue_customers", ("sales",), my_overdue_customers, order=40)
    registry.add_widget("my_at_risk", ("sales",), my_at_risk, order=45)
    registry.add_widget("to_deliver", ("warehouse",), to_deliver, order=10)


def my_quotations():
    if not can("sales_orders", "read"):
        return None
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(SalesOrder.untaxed_amount), 0))
        .where(SalesOrder.state == DRAFT, SalesOrder.salesperson_id == current_user.id)).one()
    url = url_for("sales.list_orders", state=DRAFT, salesperson_id=current_user.id)
    return dash.figures("my_quotations", _l("My quotations waiting"), [
        dash.Figure(_l("Quotations"), str(count), url),
        dash.Figure(_l("Untaxed amount"), money(round_money(total or 0)), url)])


def my_overdue_customers():
    """Customers I have an order with whose invoices are overdue, the largest first."""
    if not can("invoices", "read"):
        return None
    mine = list(db.session.scalars(select(SalesOrder.partner_id).distinct().where(
        SalesOrder.salesperson_id == current_user.id)))
    if not mine:
        return dash.rows("my_overdue_customers", _l("My customers with overdue invoices"), [],
                         empty=_l("None of your customers is late paying."))
    # The customers' invoices are read by customer (the only condition an index can serve),
    # the overdue ones summed per customer: filtering on state and due date in WHERE led
    # SQLite to walk every overdue invoice of every customer instead.
    overdue = func.sum(case((and_(Invoice.kind == CUSTOMER_INVOICE,
                                  overdue_condition(company_today())), Invoice.amount_due),
                            else_=0)).label("overdue")
    stmt = (select(Invoice.partner_id, Partner.name, overdue)
            .join(Partner, Partner.id == Invoice.partner_id)
            .where(Invoice.partner_id.in_(mine))
            .group_by(Invoice.partner_id, Partner.name).having(overdue > 0)
            .order_by(overdue.desc(), Invoice.partner_id).limit(AT_RISK_ROWS))
    items = [dash.Row(name, money(round_money(amount or 0)),
                      url_for("invoicing.list_invoices", kind=CUSTOMER_INVOICE,
                              partner_id=partner_id, overdue="true"), True)
             for partner_id, name, amount in db.session.execute(stmt)]
    return dash.rows("my_overdue_customers", _l("My customers with overdue invoices"), items,
                     empty=_l("None of your customers is late paying."))


def my_at_risk():
    """My customers at risk (the at-risk report limited to the customers whose invoices
    count for me), the largest revenue of the last 12 months first."""
    if not can("report_at_risk", "read"):
        return None
    result = at_risk_customers(ReportQuery(limit_user_id=current_user.id))
    items = [dash.Row(item["name"],
                      _l("%(days)s days since the last invoice", days=item["days_since_last"]),
                      url_for("partners.show_partner", partner_id=item["partner_id"]), True)
             for item in result.items[:AT_RISK_ROWS]]
    more = (_l("All (%(count)s)", count=len(result.items)),
            url_for("reports.show_report", name="at-risk-customers"))
    return dash.rows("my_at_risk", _l("My customers at risk"), items,
                     empty=_l("None of your customers is late ordering."), more=more)


def to_deliver():
    if not can("sales_orders", "deliver"):
        return None
    count = db.session.scalar(select(func.count()).select_from(
        to_deliver_query().order_by(None).subquery()))
    return dash.figures("to_deliver", _l("To deliver"), [
        dash.Figure(_l("Orders ready to deliver"), str(count), url_for("sales.to_deliver"),
                    count > 0)])
