"""Invoicing's widgets on the role dashboards (wired in erp.invoicing.init_app).

Management: revenue per month this year against last year, the top customers and products of
the year, cash received against what customers still owe. Finance: the AR and AP aging, what
is overdue and the drafts to post, cash in per week. Each figure links to the invoice list
filtered to the invoices behind it. Revenue is untaxed, from posted and paid customer invoices
less customer credit notes, by invoice date. The sales and cash figures read the summaries
kept at posting and payment (erp/invoicing/summaries.py: a few thousand rows at most, not
every line); what is open and overdue is one query grouped by due date (`open_balances`).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from erp.invoicing.forms import BUCKET_LABELS
from erp.invoicing.models import (
    CUSTOMER_INVOICE,
    DRAFT,
    POSTED,
    VENDOR_BILL,
    CashInByDay,
    Invoice,
    SalesByPartner,
    SalesByProduct,
)
from erp.invoicing.reports import open_balances
from erp.invoicing.services import AGING_BUCKETS
from erp.invoicing.summaries import month_of
from shared import dashboards as dash
from shared.dates import company_today
from shared.extensions import db
from shared.money import ZERO, percentage, round_money
from shared.partners.models import Partner
from shared.permissions import can
from shared.products.models import Product
from shared.registry import Registry
from shared.ui import money

TOP = 8


def register(registry: Registry) -> None:
    registry.add_widget("revenue_by_month", ("admin",), revenue_by_month, order=10, shared=True)
    registry.add_widget("cash_against_due", ("admin",), cash_against_due, order=15, shared=True)
    registry.add_widget("top_customers", ("admin",), top_customers, order=20, shared=True)
    registry.add_widget("top_products", ("admin",), top_products, order=25, shared=True)
    registry.add_widget("gross_margin", ("admin",), gross_margin, order=12, shared=True)
    registry.add_widget("finance_figures", ("finance",), finance_figures, order=10, shared=True)
    registry.add_widget("ar_aging", ("finance",), ar_aging_chart, order=20, shared=True)
    registry.add_widget("ap_aging", ("finance",), ap_aging_chart, order=25, shared=True)
    registry.add_widget("cash_in_weekly", ("finance",), cash_in_weekly, order=30, shared=True)


def _invoices_url(**args) -> str:
    return url_for("invoicing.list_invoices", **{k: (v.isoformat() if isinstance(v, date)
                                                     else v) for k, v in args.items()})


def monthly_sales(year: int, *, since_year: int | None = None) -> dict[date, tuple[Decimal,
                                                                                   Decimal]]:
    """{first day of month: (untaxed revenue, cost)} from `since_year` (default `year`)
    through `year`, from the sales summary (a few thousand rows, not every line)."""
    stmt = (select(SalesByPartner.month, func.sum(SalesByPartner.revenue),
                   func.sum(SalesByPartner.cost))
            .where(SalesByPartner.month >= date(since_year or year, 1, 1),
                   SalesByPartner.month <= date(year, 12, 1))
            .group_by(SalesByPartner.month))
    return {month: (round_money(revenue or 0), round_money(cost or 0))
            for month, revenue, cost in db.session.execute(stmt)}


def revenue_by_month():
    if not can("invoices", "read"):
        return None
    year = company_today().year
    totals = monthly_sales(year, since_year=year - 1)
    series = []
    for shown, label in ((year, str(year)), (year - 1, str(year - 1))):
        values = [totals.get(date(shown, month, 1), (ZERO, ZERO))[0]
                  for month in range(1, 13)]
        urls = []
        for month in range(1, 13):
            first, last = dash.month_bounds(shown, month)
            urls.append(_invoices_url(kind=CUSTOMER_INVOICE, date_from=first, date_to=last))
        series.append(dash.Series(label, values, [money(v) for v in values], urls))
    return dash.chart("revenue_by_month", _l("Revenue per month (untaxed)"), "bar",
                      dash.month_labels(), series, money=True)


def _names(model, ids) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def top_customers():
    if not can("invoices", "read"):
        return None
    return _top_chart("top_customers", _l("Top customers this year (untaxed)"),
                      SalesByPartner, SalesByPartner.partner_id, Partner, "partner_id")


def top_products():
    if not can("invoices", "read"):
        return None
    return _top_chart("top_products", _l("Top products this year (untaxed)"),
                      SalesByProduct, SalesByProduct.product_id, Product, "product_id")


def _top_chart(key: str, title, summary, id_column, model, filter_name: str):
    """A horizontal bar for each of the TOP ids of `summary` (per customer, per product) with
    the most revenue this year, named from `model`, each opening the year's customer
    invoices filtered by `filter_name` (partner_id, product_id)."""
    today = company_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    total = func.sum(summary.revenue).label("total")
    stmt = (select(id_column, total)
            .where(summary.month >= first, summary.month <= month_of(last),
                   id_column != 0)  # not the lines without a product
            .group_by(id_column).order_by(total.desc(), id_column).limit(TOP))
    found = [(rid, round_money(value or 0)) for rid, value in db.session.execute(stmt)]
    if not found:
        return None
    names = _names(model, [rid for rid, _v in found])
    values = [value for _r, value in found]
    urls = [_invoices_url(kind=CUSTOMER_INVOICE, date_from=first, date_to=last,
                          **{filter_name: rid}) for rid, _v in found]
    return dash.chart(key, title, "horizontal", [names.get(rid, "") for rid, _v in found],
                      [dash.Series(_l("Revenue"), values, [money(v) for v in values], urls)],
                      money=True)


def gross_margin():
    """Revenue and gross margin per month this year (revenue less Σ quantity × the unit cost
    each line kept at posting), the sales report's figures by month, read from the sales
    summary; a month opens that report for the month, by product."""
    if not can("report_sales", "read"):
        return None
    today = company_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    sales = monthly_sales(today.year)
    revenue, margin, margin_texts, urls = [], [], [], []
    for month in range(1, 13):
        month_revenue, month_cost = sales.get(date(today.year, month, 1), (ZERO, ZERO))
        revenue.append(month_revenue)
        margin.append(month_revenue - month_cost)
        pct = percentage(month_revenue - month_cost, month_revenue)
        margin_texts.append(f"{money(margin[-1])} ({pct} %)" if pct is not None
                            else money(margin[-1]))
        start, end = dash.month_bounds(today.year, month)
        urls.append(url_for("reports.show_report", name="sales", group_by="product",
                            date_from=start.isoformat(), date_to=end.isoformat()))
    total_revenue, total_margin = sum(revenue, ZERO), sum(margin, ZERO)
    total_pct = percentage(total_margin, total_revenue)
    return dash.chart(
        "gross_margin", _l("Gross margin per month"), "bar", dash.month_labels(),
        [dash.Series(_l("Revenue"), revenue, [money(v) for v in revenue], urls),
         dash.Series(_l("Gross margin"), margin, margin_texts, urls)], money=True,
        description=_l("This year: %(margin)s%(pct)s", margin=money(total_margin),
                       pct=f" ({total_pct} %)" if total_pct is not None else ""),
        link=(_l("Report"), url_for("reports.show_report", name="sales",
                                    date_from=first.isoformat(), date_to=last.isoformat())))


def cash_received(since: date, until: date) -> Decimal:
    """Posted payments allocated to customer invoices, by payment date (the cash summary)."""
    stmt = select(func.coalesce(func.sum(CashInByDay.amount), 0)).where(
        CashInByDay.day >= since, CashInByDay.day <= until)
    return round_money(db.session.scalar(stmt) or 0)


def cash_against_due():
    """The current state: cash received this year, what customers owe and is not yet due,
    and what is overdue."""
    if not can("invoices", "read"):
        return None
    today = company_today()
    first = date(today.year, 1, 1)
    received = cash_received(first, today)
    balance = open_balances(today)[CUSTOMER_INVOICE]
    overdue = balance["overdue"]
    not_due = balance["open"] - overdue
    values = [received, not_due, overdue]
    urls = [_invoices_url(kind=CUSTOMER_INVOICE, paid_from=first, paid_to=today),
            _invoices_url(kind=CUSTOMER_INVOICE, state=POSTED, overdue="false"),
            _invoices_url(kind=CUSTOMER_INVOICE, overdue="true")]
    labels = [_l("Received this year"), _l("Due, not yet overdue"), _l("Overdue")]
    return dash.chart("cash_against_due", _l("Cash received against amounts due"), "doughnut",
                      labels, [dash.Series(_l("Amount"), values, [money(v) for v in values],
                                           urls)], money=True)


def finance_figures():
    if not can("invoices", "read"):
        return None
    today = company_today()
    balances = open_balances(today)
    balance = {"receivable": balances[CUSTOMER_INVOICE]["open"],
               "receivable_overdue": balances[CUSTOMER_INVOICE]["overdue"],
               "payable_overdue": balances[VENDOR_BILL]["overdue"]}
    drafts = db.session.scalar(select(func.count()).select_from(Invoice)
                               .where(Invoice.state == DRAFT))
    items = [
        dash.Figure(_l("Overdue receivables"), money(balance["receivable_overdue"]),
                    _invoices_url(kind=CUSTOMER_INVOICE, overdue="true"),
                    balance["receivable_overdue"] > 0),
        dash.Figure(_l("Drafts to post"), str(drafts), _invoices_url(state=DRAFT), drafts > 0),
        dash.Figure(_l("Receivables"), money(balance["receivable"]),
                    _invoices_url(kind=CUSTOMER_INVOICE, state=POSTED))]
    if can("payables", "read"):
        items.insert(1, dash.Figure(_l("Overdue payables"), money(balance["payable_overdue"]),
                                    _invoices_url(kind=VENDOR_BILL, overdue="true"),
                                    balance["payable_overdue"] > 0))
    return dash.figures("finance_figures", _l("To act on"), items)


def _aging_chart(key: str, title, kind: str, report: str):
    if not can("invoices", "read") or (kind == VENDOR_BILL and not can("payables", "read")):
        return None
    today = company_today()
    totals = open_balances(today)[kind]
    values = [totals[bucket] for bucket in AGING_BUCKETS]
    urls = [_invoices_url(kind=kind, bucket=bucket, as_of=today) for bucket in AGING_BUCKETS]
    return dash.chart(key, title, "bar", [BUCKET_LABELS[b] for b in AGING_BUCKETS],
                      [dash.Series(_l("Amount due"), values, [money(v) for v in values], urls)],
                      money=True, link=(_l("Report"), url_for(report)))


def ar_aging_chart():
    return _aging_chart("ar_aging", _l("Receivables aging"), CUSTOMER_INVOICE,
                        "invoicing.aging_report")


def ap_aging_chart():
    return _aging_chart("ap_aging", _l("Payables aging"), VENDOR_BILL, "invoicing.ap_aging_report")


def weekly_cash_in(weeks: int, today: date) -> list[tuple[date, Decimal]]:
    """(Monday, cash received from customers that week) for the last `weeks` weeks, from the
    cash summary's days (at most 7 × weeks rows), summed per week here."""
    starts = dash.week_starts(weeks, today)
    stmt = select(CashInByDay.day, CashInByDay.amount).where(
        CashInByDay.day >= starts[0], CashInByDay.day < starts[-1] + timedelta(weeks=1))
    totals = dict.fromkeys(starts, ZERO)
    for day, amount in db.session.execute(stmt):
        monday = day - timedelta(days=day.weekday())
        totals[monday] += Decimal(amount or 0)
    return [(monday, round_money(total)) for monday, total in totals.items()]


def cash_in_weekly():
    if not can("invoices", "read"):
        return None
    weeks = weekly_cash_in(12, company_today())
    values = [amount for _m, amount in weeks]
    urls = [_invoices_url(kind=CUSTOMER_INVOICE, paid_from=monday,
                          paid_to=monday + timedelta(days=6)) for monday, _a in weeks]
    return dash.chart("cash_in_weekly", _l("Cash in per week"), "bar",
                      [dash.short_day(monday) for monday, _a in weeks],
                      [dash.Series(_l("Received"), values, [money(v) for v in values], urls)],
                      money=True)
