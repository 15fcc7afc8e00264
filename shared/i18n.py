"""Translation catalogues: extract the messages, compile the .po files.

The catalogues live in shared/translations/<locale>/LC_MESSAGES/messages.po (the directory the
configuration names in BABEL_TRANSLATION_DIRECTORIES). The compiled .mo files are not kept in git:
the set-up script and the test-suite call `compile_translations()`, which rebuilds a .mo only
when it is missing or older than its .po.

Refreshing the catalogue after code changes, from the repository root:

    .venv/bin/python -m shared.i18n extract     # or: pybabel extract (see babel.cfg)
    .venv/bin/pybabel update -i shared/translations/messages.pot -d shared/translations \
        -l zh --no-fuzzy-matching --ignore-obsolete
    (translate the new entries in shared/translations/zh/LC_MESSAGES/messages.po)
    .venv/bin/python -m shared.i18n               # compile
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS_DIR = ROOT / "shared" / "translations"
MAPPING_FILE = TRANSLATIONS_DIR / "babel.cfg"
POT_FILE = TRANSLATIONS_DIR / "messages.pot"
PROJECT = "Westlake ERP"
# Besides babel's defaults (_, gettext, ngettext, pgettext, ...); babel.cfg declares them too.
KEYWORDS = ("_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2")
# Directory patterns never scanned (the mapping patterns already name only the app's own code).
IGNORE_DIRS = ".* ._ __pycache__ node_modules"


def catalogues() -> list[Path]:
    """Every shared/translations/<locale>/LC_MESSAGES/messages.po, sorted by locale."""
    return sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"))


def _needs_compiling(po_path: Path, mo_path: Path) -> bool:
    if not mo_path.exists():
        return True
    return mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogue(po_path: Path) -> Path:
    """Compile one .po to the .mo next to it (fuzzy entries are left out), atomically so that
    a concurrent reader never sees half a file."""
    mo_path = po_path.with_suffix(".mo")
    locale = po_path.parent.parent.name
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale, domain="messages", abort_invalid=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".messages-", suffix=".mo", dir=po_path.parent)
    try:
        with os.fdopen(fd, "wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600; the app may run as another user
        os.replace(tmp_name, mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return mo_path


def compile_translations(force: bool = False) -> None:
    """Compile every catalogue whose .mo is missing or older than its .po (all with `force`)."""
    for po_path in catalogues():
        if force or _needs_compiling(po_path, po_path.with_suffix(".mo")):
            compile_catalogue(po_path)


def extract_messages(pot_path: str | os.PathLike[str] = POT_FILE) -> Path:
    """Extract the messages of the current code into `pot_path`, exactly as

        pybabel extract -F shared/translations/babel.cfg -k _l -o <pot_path> .

    run from the repository root. Raises RuntimeError with pybabel's output on failure.
    """
    pot_path = Path(pot_path).resolve()
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract",
               "-F", str(MAPPING_FILE), "--ignore-dirs", IGNORE_DIRS,
               "--project", PROJECT, "--no-wrap", "-o", str(pot_path)]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    command.append(".")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"message extraction failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")
    return pot_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.i18n",
        description="Compile the translation catalogues (the default), or extract the messages "
                    "of the code into shared/translations/messages.pot.")
    parser.add_argument("action", nargs="?", choices=("compile", "extract"), default="compile")
    parser.add_argument("--force", action="store_true", help="compile even up-to-date catalogues")
    parser.add_argument("-o", "--output", default=str(POT_FILE), help="where extract writes")
    args = parser.parse_args(argv)
    if args.action == "extract":
        print(f"extracted to {extract_messages(args.output)}")
    else:
        compile_translations(force=args.force)
        for po_path in catalogues():
            print(f"compiled {po_path.with_suffix('.mo').relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
