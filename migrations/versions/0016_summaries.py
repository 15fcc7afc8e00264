"""summaries: sales per month, customer and salesperson, per month and product, cash received
per day and each customer's invoicing rhythm, kept by posting and payments
(erp/invoicing/summaries.py), and the stock per product and day kept by every move
(erp/inventory), for the dashboards and reports; invoice indexes for the open balances and a
salesperson's customers, and the last move by time then id for the stock valuation

Revision ID: 0016_summaries
Revises: 0015_forecast
Create Date: 2026-11-30 14:56:22.094848

The tables are filled here from the invoices and payments already in the database, the same
sums `flask stock-check` compares them with.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_summaries'
down_revision = '0015_forecast'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cash_in_by_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_cash_in_by_day'))
    )
    op.create_table('sales_by_partner',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=7), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_sales_by_partner_partner_id_partners'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('month', 'partner_id', 'salesperson_id', name=op.f('pk_sales_by_partner'))
    )
    op.create_table('sales_by_product',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=7), nullable=False),
    sa.PrimaryKeyConstraint('month', 'product_id', name=op.f('pk_sales_by_product'))
    )
    op.create_table('customer_rhythm',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('invoice_days', sa.Integer(), nullable=False),
    sa.Column('last_invoice_date', sa.Date(), nullable=False),
    sa.Column('median_gap_days', sa.Numeric(precision=8, scale=1), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_customer_rhythm_partner_id_partners'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_customer_rhythm'))
    )
    op.create_table('stock_by_day',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('net', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_by_day_product_id_products')),
    sa.PrimaryKeyConstraint('product_id', 'day', name=op.f('pk_stock_by_day'))
    )
    _fill_from_documents()
    _fill_rhythms()
    _fill_stock_days()
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        # the last move before a moment by time, then id: PostgreSQL's indexes do not end
        # with the row id as SQLite's do, so it sorted every move of the product
        batch_op.drop_index('ix_stock_moves_valuation')
        batch_op.create_index('ix_stock_moves_valuation',
                              ['product_id', 'created_at', 'id', 'from_location_id',
                               'to_location_id', 'quantity', 'unit_cost'], unique=False)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        # what is open and overdue (home cards, aging widgets) read from the index alone
        batch_op.create_index('ix_invoices_open_balances',
                              ['state', 'kind', 'due_date', 'amount_due', 'invoice_date'],
                              unique=False)
        # the customers whose invoices count for a salesperson (my customers at risk)
        batch_op.create_index('ix_invoices_created_by_id', ['created_by_id'], unique=False)


SIGN = "CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END"
BOOKED_SALES = ("i.kind IN ('customer_invoice', 'customer_credit_note') "
                "AND i.state IN ('posted', 'paid')")


def _fill_from_documents():
    if op.get_bind().dialect.name == "postgresql":
        month = "CAST(date_trunc('month', i.invoice_date) AS date)"
    else:
        month = "date(i.invoice_date, 'start of month')"
    # who each invoice counts for: erp/invoicing/summaries.py salesperson_of, 0 for nobody
    person = "COALESCE(so.salesperson_id, o.created_by_id, i.created_by_id, 0)"
    op.execute(f"""
        INSERT INTO sales_by_partner (month, partner_id, salesperson_id, quantity, revenue,
                                      cost)
        SELECT {month}, i.partner_id, {person}, SUM(l.quantity * {SIGN}),
               SUM(l.subtotal * {SIGN}), SUM(l.quantity * l.unit_cost * {SIGN})
        FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
        LEFT JOIN sales_orders so ON so.id = i.sales_order_id
        LEFT JOIN invoices o ON o.id = i.reversed_invoice_id
        WHERE {BOOKED_SALES}
        GROUP BY {month}, i.partner_id, {person}""")
    op.execute(f"""
        INSERT INTO sales_by_product (month, product_id, quantity, revenue, cost)
        SELECT {month}, COALESCE(l.product_id, 0), SUM(l.quantity * {SIGN}),
               SUM(l.subtotal * {SIGN}), SUM(l.quantity * l.unit_cost * {SIGN})
        FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id
        WHERE {BOOKED_SALES}
        GROUP BY {month}, COALESCE(l.product_id, 0)""")
    op.execute("""
        INSERT INTO cash_in_by_day (day, amount)
        SELECT p.date, SUM(a.amount)
        FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
        JOIN invoices i ON i.id = a.invoice_id
        WHERE p.state = 'posted' AND i.kind = 'customer_invoice'
        GROUP BY p.date""")


def _fill_rhythms():
    """Each customer's distinct invoice dates: how many, the last, the median gap (the rule
    of erp/invoicing/summaries.py median_gap, restated: a migration stays as written)."""
    from datetime import date
    from decimal import Decimal
    from itertools import pairwise
    from statistics import median

    bind = op.get_bind()
    dates = {}
    for partner_id, day in bind.execute(sa.text(
            "SELECT DISTINCT partner_id, invoice_date FROM invoices "
            "WHERE kind = 'customer_invoice' AND state IN ('posted', 'paid')")):
        # SQLite answers a raw query's dates as text
        dates.setdefault(partner_id, set()).add(
            date.fromisoformat(day) if isinstance(day, str) else day)
    rows = []
    for partner_id, days in dates.items():
        days = sorted(days)
        gaps = [(later - earlier).days for earlier, later in pairwise(days)]
        rows.append({"partner_id": partner_id, "invoice_days": len(days),
                     "last_invoice_date": days[-1],
                     "median_gap_days": Decimal(str(median(gaps))).quantize(Decimal("0.1"))
                     if gaps else None})
    if rows:
        table = sa.table("customer_rhythm", sa.column("partner_id"), sa.column("invoice_days"),
                         sa.column("last_invoice_date", sa.Date()),
                         sa.column("median_gap_days", sa.Numeric(8, 1)))
        op.bulk_insert(table, rows)


def _fill_stock_days():
    """The net change of the internal stock per product and company day, from the moves that
    cross the warehouse's edge (erp/inventory/drift.py ledger_by_day, restated)."""
    from datetime import datetime, timezone
    from decimal import Decimal

    from shared.dates import company_zone

    bind = op.get_bind()
    internal = {row[0] for row in bind.execute(sa.text(
        "SELECT id FROM locations WHERE kind = 'internal'"))}
    zone = company_zone()
    days = {}
    moves = bind.execute(sa.text(
        "SELECT product_id, created_at, from_location_id, to_location_id, quantity "
        "FROM stock_moves").execution_options(yield_per=10_000))  # streamed, this query only
    for product_id, moment, source, target, quantity in moves:
        into, out = target in internal, source in internal
        if into == out:
            continue
        if isinstance(moment, str):  # SQLite answers a raw query's times as text, in UTC
            moment = datetime.fromisoformat(moment)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        key = (product_id, moment.astimezone(zone).date())
        quantity = Decimal(str(quantity))
        days[key] = days.get(key, Decimal(0)) + (quantity if into else -quantity)
    rows = [{"product_id": pid, "day": day, "net": net} for (pid, day), net in days.items()]
    table = sa.table("stock_by_day", sa.column("product_id"), sa.column("day", sa.Date()),
                     sa.column("net", sa.Numeric(18, 3)))
    for start in range(0, len(rows), 10_000):
        op.bulk_insert(table, rows[start:start + 10_000])


def downgrade():
    with op.batch_alter_table('stock_moves', schema=None) as batch_op:
        batch_op.drop_index('ix_stock_moves_valuation')
        batch_op.create_index('ix_stock_moves_valuation',
                              ['product_id', 'created_at', 'from_location_id',
                               'to_location_id', 'quantity', 'unit_cost'], unique=False)
    op.drop_table('stock_by_day')
    op.drop_table('customer_rhythm')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_created_by_id')
        batch_op.drop_index('ix_invoices_open_balances')
    op.drop_table('sales_by_product')
    op.drop_table('sales_by_partner')
    op.drop_table('cash_in_by_day')
