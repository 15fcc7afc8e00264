"""The layering rules of ARCHITECTURE.md, checked on the source itself (no database).

Dependencies point one way, crm -> erp -> shared: every import is parsed, those inside
functions included, and one that points the wrong way fails. ERP does not reach into CRM by
table name either, and the wiring is explicit: two applications get two registries with the
same content, filled by the areas' init_app, never by importing a module.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("shared", "erp", "crm")  # each may import only itself and the layers before it


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, at any depth (functions included)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def wrong_way_imports(package: str) -> list[str]:
    forbidden = LAYERS[LAYERS.index(package) + 1:]
    return [f"{path.relative_to(ROOT)}:{line} imports {module}"
            for path in python_files(package)
            for line, module in imported_modules(path)
            if module.split(".")[0] in forbidden]


@pytest.mark.parametrize("package", ["shared", "erp"])
def test_no_import_points_against_the_dependency_direction(package):
    assert wrong_way_imports(package) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sneaky.py"
    source.write_text("def handler():\n    from crm.pipeline import services\n")
    assert imported_modules(source) == [(2, "crm.pipeline")]


def crm_table_names() -> set[str]:
    from shared.db import Base

    return {mapper.local_table.name for mapper in Base.registry.mappers
            if mapper.class_.__module__.startswith("crm.")}


SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\"?(\w+)", re.IGNORECASE)
SCHEMA_CALLS = {"table", "Table", "ForeignKey", "ForeignKeyConstraint", "text"}


def table_references(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, table) for every table a file names: a string argument of table(),
    ForeignKey() and the like ("opportunities", "leads.id"), or SQL in any string."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", None)) in SCHEMA_CALLS:
            found += [(node.lineno, arg.value.split(".")[0]) for arg in ast.walk(node)
                      if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [(node.lineno, name) for name in SQL_TABLE.findall(node.value)]
    return found


def test_the_table_check_finds_schema_calls_and_sql_but_not_prose():
    source = ("t = table('opportunities', column('id'))\nfk = ForeignKey('leads.id')\n"
              "q = 'SELECT id FROM activities'\nlabel = 'Salespeople see their own leads'\n")
    assert table_references(ast.parse(source)) == [
        (1, "opportunities"), (1, "id"), (2, "leads"), (3, "activities")]


def test_erp_and_shared_never_name_a_crm_table():
    """A table named in a string (`table("opportunities", ...)`, raw SQL) is a dependency an
    import check cannot see."""
    from app import create_app
    from config import TestConfig

    create_app(TestConfig)  # the areas' init_app load every model
    tables = crm_table_names()
    assert {"leads", "opportunities", "activities"} <= tables
    hits = [f"{path.relative_to(ROOT)}:{line} {name}"
            for package in ("shared", "erp") for path in python_files(package)
            for line, name in table_references(ast.parse(path.read_text(encoding="utf-8")))
            if name in tables]
    assert hits == []


def test_each_application_gets_its_own_registry_filled_by_init_app():
    from app import create_app
    from config import TestConfig
    from shared.registry import registry_of

    first, second = registry_of(create_app(TestConfig)), registry_of(create_app(TestConfig))
    assert first is not second
    for registry in (first, second):
        assert [step.__module__ for step in registry.demo_steps] == [
            "shared.seed", "erp.inventory.seed", "erp.invoicing.seed", "erp.sales.seed",
            "erp.purchasing.seed", "crm.tickets.seed", "crm.seed"]
        assert {"partner", "stock_count", "sales_order", "customer_invoice",
                "purchase_order", "purchase_receipt", "ticket"} <= set(registry.sequences)
        assert registry.stock_provider is not None
        assert registry.incoming_provider is not None
    assert first.subscribers.keys() == second.subscribers.keys()
    assert all(len(first.subscribers[kind]) == len(second.subscribers[kind])
               for kind in first.subscribers)


TEMPLATES = ROOT / "templates"
ATTRIBUTE_COMPARED = re.compile(
    r"\.(?:state|status|invoice_status)\s*(?:==|!=|\bin\b|\bnot\s+in\b)\s*[('\"\[]")
LITERAL_COMPARED = re.compile(r"(?:==|!=)\s*['\"](\w+)['\"]|\bin\s*[(\[]([^)\]]*)[)\]]")


def document_states() -> set[str]:
    from crm.leads.models import LEAD_STATUSES
    from crm.pipeline.models import OPPORTUNITY_STATUSES
    from crm.tickets.models import TICKET_STATUSES
    from erp.invoicing.models import INVOICE_STATES, PAYMENT_STATES
    from erp.purchasing.models import BILL_STATUSES
    from erp.purchasing.models import ORDER_STATES as PURCHASE_ORDER_STATES
    from erp.sales.models import INVOICE_STATUSES, ORDER_STATES

    return {*LEAD_STATUSES, *OPPORTUNITY_STATUSES, *TICKET_STATUSES, *INVOICE_STATES,
            *PAYMENT_STATES, *INVOICE_STATUSES, *ORDER_STATES, *PURCHASE_ORDER_STATES,
            *BILL_STATUSES}


def state_names_spelled(text: str, states: set[str]) -> list[str]:
    """The places a template decides by a document's state: comparing `x.state` (status,
    invoice_status) with a literal, or comparing anything with a state's literal name."""
    found = [match.group(0) for match in ATTRIBUTE_COMPARED.finditer(text)]
    for match in LITERAL_COMPARED.finditer(text):
        words = re.findall(r"['\"](\w+)['\"]", match.group(0)) or [match.group(1)]
        found += [word for word in words if word in states]
    return found


def test_the_state_check_finds_comparisons_but_not_labels():
    states = {"draft", "won"}
    assert state_names_spelled("{% if order.state == 'draft' %}", states)
    assert state_names_spelled("{% if status == 'won' %}", states)
    assert state_names_spelled("{% if o.state in ('draft', 'x') %}", states)
    assert not state_names_spelled("{{ order_state_labels[order.state] }}", states)
    assert not state_names_spelled("{% if 'confirm' in actions %}", states)
    assert not state_names_spelled("{{ 'selected' if status == 'active' }}", states)


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_inline_script_or_event_handlers():
    """The Content-Security-Policy allows scripts only from static/js (shared/security.py)."""
    hits = [f"{path.relative_to(ROOT)}: {match.group(0)}"
            for path in sorted(TEMPLATES.rglob("*.html"))
            for match in INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8"))]
    assert hits == []


def test_no_template_spells_a_state_name():
    """Templates ask allowed_actions and the models' is_... properties (ARCHITECTURE.md
    rule 4): a rule about states lives in Python, once."""
    states = document_states()
    hits = [f"{path.relative_to(ROOT)}: {spelled}"
            for path in sorted(TEMPLATES.rglob("*.html"))
            for spelled in state_names_spelled(path.read_text(encoding="utf-8"), states)]
    assert hits == []
