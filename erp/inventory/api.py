"""/api/v1 locations, stock moves, levels, counts, reorder suggestions and product forecasts
(API.md, ERP)."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from erp.inventory import counts, forecast, reorder, services
from erp.inventory.models import LOCATION_KINDS, Location, StockMove
from shared.api import api_blueprint, bool_arg, int_arg, json_body, page_json, paginate, query_arg
from shared.permissions import require
from shared.products.services import get_product
from shared.validation import Choice

bp = api_blueprint("inventory_api", __name__)

LOCATION_FIELDS = ("id", "code", "name", "kind", "active", "created_at")
MOVE_FIELDS = ("id", "product_id", "quantity", "unit_cost", "from_location_id", "to_location_id",
               "reference", "note", "user_id", "reverses_id", "created_at")


def location_json(location: Location) -> dict:
    return {field: getattr(location, field) for field in LOCATION_FIELDS}


def moves_json(moves: list[StockMove]) -> list[dict]:
    """Moves with their product's SKU, read for the whole list in one query."""
    products = services.product_skus(m.product_id for m in moves)
    return [{**{field: getattr(m, field) for field in MOVE_FIELDS},
             "sku": products[m.product_id].sku} for m in moves]


def level_json(row: services.LevelRow) -> dict:
    return {"product_id": row.product_id, "sku": row.sku, "location_id": row.location_id,
            "location_code": row.location_code, "on_hand": row.on_hand,
            "reserved": row.reserved, "available": row.available}


def move_json(move: StockMove) -> dict:
    return moves_json([move])[0]


@bp.get("/locations")
@require("stock_moves", "read")
def list_locations():
    page = paginate(services.location_query(query_arg("kind", Choice(LOCATION_KINDS)),
                                            bool_arg("active")))
    return page_json(page, [location_json(loc) for loc in page.items])


@bp.post("/locations")
@require("stock_moves", "write")
def create_location():
    return location_json(services.create_location(json_body())), 201


@bp.get("/locations/<int:location_id>")
@require("stock_moves", "read")
def get_location(location_id: int):
    return location_json(services.get_location(location_id))


@bp.post("/stock/moves")
@require("stock_moves", "write")
def record_move():
    return move_json(services.record_move(json_body(), user_id=current_user.id)), 201


def _ledger_filters() -> dict:
    since, until = request.args.get("since"), request.args.get("until")
    return {"product_id": int_arg("product_id"), "location_id": int_arg("location_id"),
            "reference": request.args.get("reference") or None,
            "since": services.parse_since(since, "since") if since else None,
            "until": services.parse_since(until, "until") if until else None,
            "user_id": int_arg("user_id"), "before_id": int_arg("before_id")}


@bp.get("/stock/moves")
@require("stock_moves", "read")
def list_moves():
    page = paginate(services.move_query(**_ledger_filters()))
    return page_json(page, moves_json(page.items))


@bp.get("/stock/moves/<int:move_id>")
@require("stock_moves", "read")
def get_move(move_id: int):
    return move_json(services.get_move(move_id))


@bp.post("/stock/moves/<int:move_id>/reverse")
@require("stock_moves", "write")
def reverse_move(move_id: int):
    return move_json(services.reverse_move(move_id, user_id=current_user.id)), 201


@bp.get("/stock/levels")
@require("stock_levels", "read")
def list_levels():
    page = paginate(services.level_query(int_arg("product_id"), int_arg("location_id"),
                                         request.args.get("q")), rows=True)
    return page_json(page, [level_json(services.LevelRow(*row)) for row in page.items])


@bp.post("/stock/counts")
@require("stock_moves", "write")
def create_count():
    count, moves = counts.confirm_count(json_body(), user_id=current_user.id)
    return {"id": count.id, "number": count.number, "location_id": count.location_id,
            "created_at": count.created_at, "moves": moves_json(moves)}, 201


@bp.get("/stock/reorder-suggestions")
@require("stock_levels", "read")
def reorder_suggestions():
    return {"items": [s.as_json() for s in reorder.reorder_suggestions(with_forecast=True)]}


@bp.get("/products/<int:product_id>/forecast")
@require("forecast", "read")
def product_forecast(product_id: int):
    return forecast.forecast(get_product(product_id).id).as_json()
