"""Layering rules that keep the domain portable: app/services never imports Flask (or forms and
templates), and views hold no SQL or HTTP client."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
SERVICE_FORBIDDEN = ("flask", "flask_wtf", "flask_login", "wtforms", "jinja2", "werkzeug")
VIEW_FORBIDDEN = ("sqlalchemy", "httpx", "app.services.local", "app.services.digitalriver")
# Every module of the UI areas (app/customers, app/audit, …) and of what they share (app/web):
# the views, their forms and helpers, however an area is split.
# Not UI: the domain (app/services) and the demo-data loader (app/demo), a development tool
# that writes the database in bulk; both must stay free of Flask.
NOT_UI = ("services", "demo")
UI_MODULES = sorted(
    p for p in APP.rglob("*.py") if p.parent != APP and p.relative_to(APP).parts[0] not in NOT_UI
)
DOMAIN_MODULES = sorted(p for area in NOT_UI for p in (APP / area).rglob("*.py"))


def imported_modules(path: Path, root: Path = APP.parent) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def offending(names: set[str], forbidden: tuple[str, ...]) -> set[str]:
    return {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_a_service_module_imports_nothing_from_flask_forms_or_templates(path):
    assert offending(imported_modules(path), SERVICE_FORBIDDEN) == set()


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: str(p.relative_to(APP)))
def test_a_view_module_holds_no_sql_and_no_http_client(path):
    assert offending(imported_modules(path), VIEW_FORBIDDEN) == set()


def test_the_import_check_sees_a_forbidden_import(tmp_path):
    probe = tmp_path / "app" / "services" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("from flask import current_app\nfrom ..customers import Customer\n")
    names = imported_modules(probe, root=tmp_path)
    assert offending(names, SERVICE_FORBIDDEN) == {"flask", "flask.current_app"}
    assert "app.customers.Customer" in names
