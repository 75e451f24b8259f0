"""Dependency direction (style.md, README "Layout"): read the imports, don't trust good intentions.

Every import is read, function-local ones included: an import hidden in a function still ties two
modules together.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("service", "workers", "nlp", "config")
DOMAIN = "service.domain"
FORBIDDEN = {
    "nlp": ("flask", "rq", "redis", "sqlalchemy", "service", "workers"),
    "service/domain": ("flask", "werkzeug", "rq", "redis", "service.api", "service.schemas", "service.cli",
                       "service.app", "service.base", "service.extensions", "workers"),
    "workers/jobs.py": ("service.api", "service.app", "service.cli"),
    "workers/context.py": ("service.api", "service.app", "service.cli"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """(module, imported name or None) for every absolute import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, alias.name) for alias in node.names]
    return found


def targets(module: str, name: str | None) -> str | None:
    """The project module an import loads: `from pkg import sub` loads pkg.sub when it is a module."""
    known = modules()
    if name and f"{module}.{name}" in known:
        return f"{module}.{name}"
    return module if module in known else None


def import_graph() -> dict[str, set[str]]:
    graph = {name: set() for name in modules()}
    for name, path in modules().items():
        for module, imported in imports_of(path):
            target = targets(module, imported)
            if target and target != name:
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def files(where: str) -> list[Path]:
    target = ROOT / where
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("where", list(FORBIDDEN))
def test_forbidden_imports(where):
    offenders = []
    for path in files(where):
        for module, _ in imports_of(path):
            if any(module == b or module.startswith(b + ".") for b in FORBIDDEN[where]):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders, offenders


def capability_of(module: str) -> str | None:
    """service.domain.tickets.engine -> tickets; shared helpers (errors, pagination) -> None."""
    parts = module.split(".")
    if module.startswith(DOMAIN + ".") and (ROOT / "service" / "domain" / parts[2]).is_dir():
        return parts[2]
    return None


def exported(capability: str) -> set[str]:
    tree = ast.parse((ROOT / "service" / "domain" / capability / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return set(ast.literal_eval(node.value))
    return set()


def test_capability_packages_meet_only_through_their_exports():
    offenders = []
    for path in files("service/domain"):
        own = capability_of(module_name(path))
        for module, name in imports_of(path):
            other = capability_of(module)
            if other is None or other == own:
                continue
            if module != f"{DOMAIN}.{other}":
                offenders.append(f"{path.relative_to(ROOT)} reaches into {module}")
            elif name not in exported(other):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}, not exported by {module}")
    assert not offenders, offenders


def test_every_capability_package_says_what_it_owns_and_may_import():
    for init in sorted((ROOT / "service" / "domain").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "May import" in doc, f"{init.relative_to(ROOT)} has no docstring naming what it may import"
        assert exported(init.parent.name), f"{init.relative_to(ROOT)} exports nothing"


def test_api_handlers_run_no_queries():
    offenders = []
    for path in files("service/api"):
        source = path.read_text(encoding="utf-8")
        for marker in ("db.session.query", "db.session.execute", "select(", ".scalars("):
            if marker in source and path.name != "health.py":  # readiness probes SELECT 1
                offenders.append(f"{path.relative_to(ROOT)}: {marker}")
    assert not offenders, offenders


def test_the_service_and_the_nlp_library_name_the_same_tags():
    import nlp
    from service.models.types import TAGS

    assert tuple(nlp.TAGS) == TAGS
