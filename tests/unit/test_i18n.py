"""Simplified Chinese: the catalogue covers the code, keeps its placeholders, and is served."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale, gettext

from shared.errors import ValidationError
from shared.i18n import TRANSLATIONS_DIR, compile_translations, extract_messages
from tests.conftest import csrf_token

ZH_PO = TRANSLATIONS_DIR / "zh" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")
# The navigation a signed-in administrator sees, and the exact Chinese the browser tests expect.
NAV = {"Home": "首页", "Customers": "客户", "Suppliers": "供应商", "Products": "产品",
       "Settings": "设置", "Users": "用户", "Company": "公司", "Audit trail": "审计日志",
       "Sign out": "退出登录", "Sign in": "登录"}


def _read(path: Path):
    with path.open("rb") as fileobj:
        return read_po(fileobj, abort_invalid=True)


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (tuple, list)) \
        else [message.string]


def _placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_every_extracted_message_is_translated(tmp_path: Path) -> None:
    template = _read(extract_messages(tmp_path / "messages.pot"))
    catalogue = _read(ZH_PO)
    assert len([m for m in template if m.id]) > 100, "extraction found almost nothing"

    missing, untranslated = [], []
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        if found is None:
            missing.append(_key(message))
        elif not all(_strings(found)) or (message.pluralizable and not found.pluralizable):
            untranslated.append(_key(message))
    assert not missing, (
        f"{len(missing)} msgid(s) not in {ZH_PO.name} (refresh the catalogue, see "
        f"shared/i18n.py):\n" + "\n".join(missing))
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) with an empty msgstr:\n" + "\n".join(untranslated))


def test_catalogue_has_no_fuzzy_entries_and_keeps_placeholders() -> None:
    catalogue = _read(ZH_PO)
    assert catalogue.num_plurals == 1
    assert catalogue.plural_expr.strip() == "0"
    assert not catalogue.fuzzy, "the header is marked fuzzy"
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {_key(message)!r}")
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        expected = set().union(*(_placeholders(text) for text in ids))
        for text in _strings(message):
            if text and _placeholders(text) != expected:
                problems.append(f"placeholders differ: {_key(message)!r} -> {text!r}")
    assert not problems, "\n".join(problems)


def test_navigation_translations_are_the_agreed_ones() -> None:
    catalogue = _read(ZH_PO)
    wrong = {english: catalogue.get(english).string if catalogue.get(english) else None
             for english in NAV if (catalogue.get(english) is None
                                     or catalogue.get(english).string != NAV[english])}
    assert not wrong, wrong


def test_compile_writes_a_fresh_mo() -> None:
    compile_translations()
    mo = ZH_PO.with_suffix(".mo")
    assert mo.exists()
    assert mo.stat().st_mtime >= ZH_PO.stat().st_mtime


def test_home_page_in_chinese(app: Flask, client, login_as) -> None:
    login_as("admin")
    response = client.post("/language", data={"locale": "zh", "next": "/",
                                              "csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302

    html = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    nav = re.search(r"<nav\b.*?</nav>", html, re.S)
    assert nav, "no <nav> on the home page"
    nav_html = nav.group(0)
    for english, chinese in NAV.items():
        if english == "Sign in":
            continue  # only on the sign-in page
        assert chinese in nav_html, f"{chinese} ({english}) missing from the navigation"
        assert f">{english}<" not in nav_html, f"{english!r} is still English in the navigation"


def test_sign_in_page_in_chinese(app: Flask, client) -> None:
    html = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}) \
        .get_data(as_text=True)
    assert "登录" in html
    assert ">Sign in<" not in html


def test_domain_error_messages_in_chinese(app: Flask) -> None:
    with app.test_request_context("/"), force_locale("zh"):
        assert gettext("Some fields are missing or invalid.") == "部分字段缺失或无效。"
        assert ValidationError().message == "部分字段缺失或无效。"
        assert gettext("Not enough stock available.") == "可用库存不足。"
    with app.test_request_context("/"), force_locale("en"):
        assert ValidationError().message == "Some fields are missing or invalid."
