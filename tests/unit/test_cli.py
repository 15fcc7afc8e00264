"""The command line of API.md: init-db, create-user, seed-demo."""
from __future__ import annotations

from sqlalchemy import func, inspect, select

from app import create_app
from config import TestConfig
from shared.company.models import Company
from shared.extensions import db
from shared.partners.models import Partner
from shared.products.models import Product
from shared.users.models import User
from tests.conftest import table_counts


def test_init_db_builds_a_fresh_database_and_is_idempotent(tmp_path):
    class Fresh(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"

    app = create_app(Fresh)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        assert "partners" in inspect(db.engine).get_table_names()
        after_first = table_counts()
        company = db.session.get(Company, 1)
        assert company.currency == "CNY"
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0, second.output
    with app.app_context():
        assert table_counts() == after_first
        db.engine.dispose()


def test_create_user(app):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["create-user", "Boss@Example.com", "--password", "long enough",
                             "--role", "admin", "--role", "finance", "--name", "老板"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert user.roles == ["admin", "finance"] and user.name == "老板"


def test_create_user_refuses_duplicates_and_unknown_roles_clearly(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["create-user", "a@example.com", "--password", "long enough",
                        "--role", "sales"])
    dup = runner.invoke(args=["create-user", "A@example.com", "--password", "long enough",
                              "--role", "sales"])
    assert dup.exit_code != 0 and "already exists" in dup.output
    role = runner.invoke(args=["create-user", "b@example.com", "--password", "long enough",
                               "--role", "boss"])
    assert role.exit_code != 0 and "Unknown role boss" in role.output
    short = runner.invoke(args=["create-user", "c@example.com", "--password", "short",
                                "--role", "sales"])
    assert short.exit_code != 0 and "password" in short.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_seed_demo_fills_an_empty_database_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.output and "demo1234" in result.output
    with app.app_context():
        names = db.session.scalars(select(Partner.name)).all()
        assert len(names) >= 10
        assert any("有限公司" in n for n in names) and "Nordic Paper AB" in names
        assert db.session.scalar(select(func.count()).select_from(Product)) >= 10
        assert db.session.get(Company, 1).name.startswith("杭州")
        before = table_counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0 and "nothing was seeded" in again.output
    with app.app_context():
        assert table_counts() == before


def test_demo_users_can_sign_in(app, client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    for role in ("admin", "sales", "warehouse", "finance", "support"):
        response = client.post("/api/v1/auth/token",
                               json={"email": f"{role}@example.com", "password": "demo1234"})
        assert response.status_code == 201 and response.json["user"]["roles"] == [role]


def _scale_snapshot(app):
    with app.app_context():
        partners = db.session.execute(select(Partner.code, Partner.name, Partner.is_supplier)
                                      .order_by(Partner.id)).all()
        products = db.session.execute(select(Product.sku, Product.name, Product.cost_price)
                                      .order_by(Product.id)).all()
        return partners, products


def test_seed_scale_bulk_master_data_is_repeatable_and_numbered(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-scale", "--partners", "300", "--products", "120",
                                 "--seed", "7", "--quiet"])
    assert result.exit_code == 0, result.output
    first = _scale_snapshot(app)
    assert len(first[0]) == 300 and len(first[1]) == 120
    assert [code for code, *_ in first[0]] == [f"P{i:05d}" for i in range(1, 301)]
    # The partner sequence moved past the bulk codes: the next partner is P00301.
    with app.app_context():
        from shared.partners import services as partner_services
        assert partner_services.create_partner({"name": "After"}).code == "P00301"

    with app.app_context():
        from shared.reference import load_reference_data
        from tests.conftest import _empty_all_tables
        _empty_all_tables()
        load_reference_data()
    runner.invoke(args=["seed-scale", "--partners", "300", "--products", "120", "--seed", "7",
                        "--quiet"])
    assert _scale_snapshot(app) == first


def test_seed_scale_rejects_bad_product_ids(app):
    result = app.test_cli_runner().invoke(args=["seed-scale", "--moves", "5",
                                                "--product-ids", "1,x"])
    assert result.exit_code != 0 and "product ids" in result.output
