"""stock-check finds and repairs drift; seed-scale --moves makes a consistent ledger."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select, update

from erp.inventory.drift import find_drift
from erp.inventory.models import StockBalance, StockByDay, StockMove
from erp.inventory.services import main_stock
from shared.extensions import db


def test_stock_check_reports_drift_and_repairs_it_only_when_asked(app, stock):
    lamp, mug = stock.product("LAMP"), stock.product("MUG")
    stock.receive(lamp, 5)
    stock.receive(mug, 2)
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["stock-check"])
    assert clean.exit_code == 0 and "No drift" in clean.output

    with app.app_context():  # something wrote a balance behind the ledger's back
        db.session.execute(update(StockBalance).where(StockBalance.product_id == lamp)
                           .values(on_hand=Decimal("9")))
        db.session.execute(update(StockBalance).where(StockBalance.product_id == mug)
                           .values(on_hand=Decimal("0")))
        db.session.commit()
    found = runner.invoke(args=["stock-check"])
    assert found.exit_code == 1
    assert f"product {lamp} at location {stock.loc['WH/Stock']}: balance 9.000, ledger 5.000" \
        in found.output
    assert "2 row(s) differ" in found.output
    assert stock.level(lamp)[0] == Decimal(9)  # reported, not touched

    repaired = runner.invoke(args=["stock-check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired 2 row(s)" in repaired.output
    assert stock.level(lamp)[0] == Decimal(5) and stock.level(mug)[0] == Decimal(2)
    assert "No drift" in runner.invoke(args=["stock-check"]).output


def test_stock_check_rebuilds_a_missing_balance_row(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 3)
    with app.app_context():
        db.session.execute(StockBalance.__table__.delete())
        db.session.commit()
        assert len(find_drift()) == 1
    assert app.test_cli_runner().invoke(args=["stock-check", "--repair"]).exit_code == 0
    assert stock.level(lamp)[0] == Decimal(3)


def _ledger(app):
    with app.app_context():
        return db.session.execute(select(StockMove.product_id, StockMove.quantity,
                                         StockMove.from_location_id, StockMove.to_location_id)
                                  .order_by(StockMove.id)).all()


def test_seed_scale_moves_makes_exactly_n_moves_that_never_go_negative(app, stock):
    ids = [stock.product(f"S{n}") for n in range(3)]
    stock.receive(ids[0], 2)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-scale", "--moves", "2000", "--quiet", "--seed", "3",
                                 "--product-ids", ",".join(map(str, ids))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stock_id = main_stock().id
        assert db.session.scalar(select(func.count()).select_from(StockMove)) == 2001
        deliveries = db.session.scalar(select(func.count()).select_from(StockMove)
                                       .where(StockMove.from_location_id == stock_id))
        assert 300 <= deliveries <= 420  # about 20 % of 2000
        used = set(db.session.scalars(select(StockMove.product_id).distinct()))
        assert used == set(ids)
        assert find_drift() == []  # balances equal the ledger (the CHECK kept them >= 0)
    first = _ledger(app)

    with app.app_context():  # the same seed gives the same moves
        db.session.execute(StockMove.__table__.delete().where(StockMove.id > 1))
        db.session.execute(update(StockBalance).values(on_hand=Decimal(2)))
        db.session.execute(StockBalance.__table__.delete().where(
            StockBalance.product_id != ids[0]))
        db.session.commit()
    runner.invoke(args=["seed-scale", "--moves", "2000", "--quiet", "--seed", "3",
                        "--product-ids", ",".join(map(str, ids))])
    assert _ledger(app) == first


def test_seed_scale_moves_without_products_creates_some(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--moves", "500", "--quiet"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StockMove)) == 500
        assert find_drift() == []


def test_seed_scale_refuses_unknown_product_ids(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--moves", "5",
                                                "--product-ids", "424242"])
    assert result.exit_code != 0 and "424242" in result.output


def test_stock_check_rebuilds_the_stock_per_day(app, stock):
    lamp = stock.product("LAMP")
    stock.receive(lamp, 4)
    runner = app.test_cli_runner()
    with app.app_context():  # a day's net written behind book_move's back
        db.session.execute(update(StockByDay).values(net=Decimal("1")))
        db.session.commit()
    found = runner.invoke(args=["stock-check"])
    assert found.exit_code == 1
    assert f"stock per day: product {lamp} on " in found.output
    assert "stock_by_day 1.000, moves 4.000" in found.output
    assert runner.invoke(args=["stock-check", "--repair"]).exit_code == 0
    with app.app_context():
        assert [row.net for row in db.session.scalars(select(StockByDay))] == [Decimal("4")]
