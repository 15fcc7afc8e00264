"""Invoicing's widgets on the role dashboards (wired in erp.invoicing.init_app).

Management: revenue per month this year against last year, the top customers and products of
the year, cash received against what customers still owe. Finance: the AR and AP aging, what
is overdue and the drafts to post, cash in per week. Each figure links to the invoice list
filtered to the invoices behind it. Revenue is untaxed, from posted and paid customer invoices
less customer credit notes, by invoice date. One or two aggregate queries per widget.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, case, extract, func, select

from erp.invoicing.forms import BUCKET_LABELS
from erp.invoicing.models import (
    CUSTOMER_CREDIT_NOTE,
    CUSTOMER_INVOICE,
    DRAFT,
    PAID,
    POSTED,
    VENDOR_BILL,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from erp.invoicing.reports import sales_report
from erp.invoicing.services import AGING_BUCKETS, bucket_condition
from shared import dashboards as dash
from shared.dates import company_today
from shared.extensions import db
from shared.money import ZERO, round_money
from shared.partners.models import Partner
from shared.permissions import can
from shared.products.models import Product
from shared.registry import Registry
from shared.reports import ReportQuery
from shared.ui import money

TOP = 8
BOOKED = (POSTED, PAID)


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


def _signed_untaxed(column=None):
    """Untaxed revenue: customer invoices count, customer credit notes count negative."""
    value = column if column is not None else Invoice.untaxed_amount
    return case((Invoice.kind == CUSTOMER_CREDIT_NOTE, -value), else_=value)


def _revenue_rows(since: date, until: date):
    return (Invoice.kind.in_((CUSTOMER_INVOICE, CUSTOMER_CREDIT_NOTE)),
            Invoice.state.in_(BOOKED), Invoice.invoice_date >= since,
            Invoice.invoice_date <= until)


def _invoices_url(**args) -> str:
    return url_for("invoicing.list_invoices", **{k: (v.isoformat() if isinstance(v, date)
                                                     else v) for k, v in args.items()})


def monthly_revenue(year: int) -> dict[tuple[int, int], Decimal]:
    """{(year, month): untaxed revenue} for `year` and the year before, one GROUP BY."""
    year_col, month_col = extract("year", Invoice.invoice_date), \
        extract("month", Invoice.invoice_date)
    stmt = (select(year_col, month_col, func.sum(_signed_untaxed()))
            .where(*_revenue_rows(date(year - 1, 1, 1), date(year, 12, 31)))
            .group_by(year_col, month_col))
    return {(int(y), int(m)): round_money(total or 0)
            for y, m, total in db.session.execute(stmt)}


def revenue_by_month():
    if not can("invoices", "read"):
        return None
    year = company_today().year
    totals = monthly_revenue(year)
    series = []
    for shown, label in ((year, str(year)), (year - 1, str(year - 1))):
        values = [totals.get((shown, month), ZERO) for month in range(1, 13)]
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
    today = company_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    total = func.sum(_signed_untaxed()).label("total")
    stmt = (select(Invoice.partner_id, total).where(*_revenue_rows(first, last))
            .group_by(Invoice.partner_id)
            .order_by(total.desc(), Invoice.partner_id).limit(TOP))
    return _top_chart("top_customers", _l("Top customers this year (untaxed)"), stmt,
                      Partner, "partner_id", first, last)


def top_products():
    """Grouped by product id alone (the names of the few shown are read after): the sum
    over every line of the year is the cost, so no join per line beyond its invoice."""
    if not can("invoices", "read"):
        return None
    today = company_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    total = func.sum(_signed_untaxed(InvoiceLine.subtotal)).label("total")
    stmt = (select(InvoiceLine.product_id, total)
            .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
            .where(*_revenue_rows(first, last), InvoiceLine.product_id.is_not(None))
            .group_by(InvoiceLine.product_id)
            .order_by(total.desc(), InvoiceLine.product_id).limit(TOP))
    return _top_chart("top_products", _l("Top products this year (untaxed)"), stmt,
                      Product, "product_id", first, last)


def _top_chart(key: str, title, stmt, model, filter_name: str, first: date, last: date):
    """A horizontal bar per (id, revenue) row of `stmt`, named from `model`, each opening the
    year's customer invoices filtered by `filter_name` (partner_id, product_id)."""
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
    """Revenue and gross margin per month this year from the sales report (revenue less
    Σ quantity × the unit cost each line kept at posting); a month opens that report for the
    month, by product."""
    if not can("report_sales", "read"):
        return None
    today = company_today()
    first, last = date(today.year, 1, 1), date(today.year, 12, 31)
    result = sales_report(ReportQuery(date_from=first, date_to=last, group_by="month"))
    by_month = {item["key"]: item for item in result.items}
    revenue, margin, margin_texts, urls = [], [], [], []
    for month in range(1, 13):
        item = by_month.get(f"{today.year:04d}-{month:02d}")
        month_revenue = item["revenue"] if item else ZERO
        month_margin = item["margin"] if item else ZERO
        revenue.append(month_revenue)
        margin.append(month_margin)
        pct = item["margin_pct"] if item else None
        margin_texts.append(f"{money(month_margin)} ({pct} %)" if pct is not None
                            else money(month_margin))
        start, end = dash.month_bounds(today.year, month)
        urls.append(url_for("reports.show_report", name="sales", group_by="product",
                            date_from=start.isoformat(), date_to=end.isoformat()))
    totals = result.totals
    total_pct = (f" ({round(totals['margin'] * 100 / totals['revenue'], 1)} %)"
                 if totals.get("revenue") else "")
    return dash.chart(
        "gross_margin", _l("Gross margin per month"), "bar", dash.month_labels(),
        [dash.Series(_l("Revenue"), revenue, [money(v) for v in revenue], urls),
         dash.Series(_l("Gross margin"), margin, margin_texts, urls)], money=True,
        description=_l("This year: %(margin)s%(pct)s", margin=money(totals.get("margin", ZERO)),
                       pct=total_pct),
        link=(_l("Report"), url_for("reports.show_report", name="sales",
                                    date_from=first.isoformat(), date_to=last.isoformat())))


def cash_received(since: date, until: date) -> Decimal:
    """Posted payments allocated to customer invoices, by payment date."""
    stmt = (select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(Payment.state == "posted", Payment.date >= since, Payment.date <= until,
                   Invoice.kind == CUSTOMER_INVOICE))
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


def open_balances(today: date) -> dict[str, dict[str, Decimal]]:
    """{kind: {bucket: amount, "open": ..., "overdue": ...}} for customer invoices and vendor
    bills: the aging buckets (as the aging report counts them on `today`), what is open and
    what is overdue, in one query for both kinds, read once per request (the finance
    figures and both aging charts share it)."""
    if "dashboard_balances" in g:
        return g.dashboard_balances

    def total(condition):
        return func.coalesce(func.sum(case((condition, Invoice.amount_due), else_=0)), 0) \
            .cast(Numeric(18, 2))

    result = {}
    for kind in (CUSTOMER_INVOICE, VENDOR_BILL):
        sums = [total(bucket_condition(bucket, today, kind)) for bucket in AGING_BUCKETS]
        sums += [total(Invoice.kind == kind), total((Invoice.kind == kind)
                                                     & (Invoice.due_date < today))]
        result[kind] = sums
    keys = (*AGING_BUCKETS, "open", "overdue")
    row = db.session.execute(select(*result[CUSTOMER_INVOICE], *result[VENDOR_BILL]).where(
        Invoice.kind.in_((CUSTOMER_INVOICE, VENDOR_BILL)), Invoice.state == POSTED,
        Invoice.amount_due > 0)).one()
    size = len(keys)
    g.dashboard_balances = {
        kind: {key: round_money(value or 0) for key, value in zip(
            keys, row[n * size:(n + 1) * size], strict=True)}
        for n, kind in enumerate((CUSTOMER_INVOICE, VENDOR_BILL))}
    return g.dashboard_balances


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
    """(Monday, cash received from customers that week) for the last `weeks` weeks: one
    GROUP BY payment date (at most 7 × weeks rows), summed per week here."""
    starts = dash.week_starts(weeks, today)
    stmt = (select(Payment.date, func.sum(PaymentAllocation.amount))
            .join(Payment, Payment.id == PaymentAllocation.payment_id)
            .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
            .where(Payment.state == "posted", Payment.date >= starts[0],
                   Payment.date < starts[-1] + timedelta(weeks=1),
                   Invoice.kind == CUSTOMER_INVOICE)
            .group_by(Payment.date))
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
