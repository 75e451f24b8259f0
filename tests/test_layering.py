"""Dependency direction (style.md): read the imports, don't trust good intentions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "nlp": ("flask", "rq", "redis", "sqlalchemy", "service", "workers"),
    "service/domain": ("flask", "rq", "redis", "service.api", "workers"),
    "workers/jobs.py": ("service.api",),
    "service/api": (),  # checked separately: no queries in handlers
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def files(where: str):
    target = ROOT / where
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("where", [w for w, banned in FORBIDDEN.items() if banned])
def test_forbidden_imports(where):
    offenders = []
    for path in files(where):
        for name in imports_of(path):
            if any(name == b or name.startswith(b + ".") for b in FORBIDDEN[where]):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, offenders


def test_api_handlers_run_no_queries():
    offenders = []
    for path in files("service/api"):
        source = path.read_text(encoding="utf-8")
        for marker in ("db.session.query", "db.session.execute", "select(", ".scalars("):
            if marker in source and path.name != "health.py":  # readiness probes SELECT 1
                offenders.append(f"{path.relative_to(ROOT)}: {marker}")
    assert not offenders, offenders
