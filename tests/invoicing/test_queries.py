"""Lists load related rows in one query each: no query per invoice."""
from __future__ import annotations

from sqlalchemy import event

from shared.extensions import db


def count_queries(app, fn) -> int:
    statements = []
    with app.app_context():
        engine = db.engine

    def record(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_invoice_list_query_count_does_not_grow_with_the_page(app, fin, make_invoice):
    for _ in range(3):
        make_invoice(post=True)
    few = count_queries(app, lambda: fin.get("/invoices"))
    for _ in range(12):
        make_invoice()
    many = count_queries(app, lambda: fin.get("/invoices"))
    assert many == few
    assert len(fin.get("/invoices").json["items"]) == 15
