"""Chinese first: every string the code marks for translation has a zh-Hans translation, and the
compiled catalogs the platform loads say the same as the catalogs people edit."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/*.po"))


def parse_po(path: Path) -> dict[tuple[str, str], list[str]]:
    """{(context, msgid): [msgstr, …]} for the non-header entries; fuzzy entries count as empty."""
    entries: dict[tuple[str, str], list[str]] = {}
    current: dict = {}
    field = None

    def flush():
        if current.get("msgid"):
            strs = [current[k] for k in sorted(k for k in current if k.startswith("msgstr"))]
            if current.get("fuzzy"):
                strs = [""]
            entries[(current.get("msgctxt", ""), current["msgid"])] = strs

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            flush()
            current, field = {}, None
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            field = key
            current[field] = ast.literal_eval(value)
    flush()
    return entries


def test_there_are_catalogs():
    assert CATALOGS, "no zh_Hans catalogs found"


@pytest.mark.parametrize("po", CATALOGS, ids=[str(p.relative_to(ROOT)) for p in CATALOGS])
def test_every_string_is_translated_and_compiled(po: Path):
    entries = parse_po(po)
    untranslated = [msgid for (_ctx, msgid), strs in entries.items() if not all(strs)]
    assert not untranslated, f"{po}: untranslated: {untranslated[:20]}"
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for (ctx, msgid), strs in entries.items():
        got = compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)
        assert got == strs[0], f"{mo} is stale for {msgid!r}: run `make messages`"


def _catalog_dirs() -> list[Path]:
    return sorted({po.parents[3] for po in CATALOGS})


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
@pytest.mark.parametrize(
    "base", _catalog_dirs(), ids=lambda p: str(p.relative_to(ROOT)) or "gridgov"
)
def test_catalog_has_every_marked_string(base: Path, tmp_path: Path):
    """makemessages on a copy finds no string the committed catalog lacks."""
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("tests", "__pycache__", "migrations")
    shutil.copytree(base, copy, ignore=ignore)
    args = [
        sys.executable,
        "-m",
        "gridgov",
        "makemessages",
        "-l",
        "zh_Hans",
        "--no-wrap",
        "-v",
        "0",
    ]
    if base == ROOT:
        for app in (p.parent.name for p in ROOT.glob("*/apps.py")):
            args += ["--ignore", f"{app}/*"]
    subprocess.run(args, cwd=copy, check=True, capture_output=True)
    fresh = parse_po(copy / "locale/zh_Hans/LC_MESSAGES/django.po")
    committed = parse_po(base / "locale/zh_Hans/LC_MESSAGES/django.po")
    missing = sorted(m for _c, m in set(fresh) - set(committed))
    assert not missing, (
        f"{base}: strings missing from the catalog (run `make messages`): {missing[:20]}"
    )


def test_one_msgid_has_one_translation_across_catalogs():
    """Django merges every catalog into one, so a msgid translated two ways in two catalogs gets one
    of them everywhere at run time: give distinct meanings a distinct msgid or a context."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for po in CATALOGS:
        for key, strs in parse_po(po).items():
            if strs and strs[0]:
                seen.setdefault(key, {})[strs[0]] = str(po.relative_to(ROOT))
    clashes = {
        f"{ctx}|{msgid}" if ctx else msgid: sorted(by)
        for (ctx, msgid), by in seen.items()
        if len(by) > 1
    }
    assert not clashes, f"{len(clashes)} msgids translated differently: {clashes}"
