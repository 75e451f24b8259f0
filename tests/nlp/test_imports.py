"""The nlp package's own modules import each other in one direction only (no cycles)."""

import ast
from pathlib import Path

NLP = Path(__file__).resolve().parents[2] / "nlp"


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in NLP.glob("*.py"):
        name = f"nlp.{path.stem}" if path.stem != "__init__" else "nlp"
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.startswith("nlp."):
                    deps.add(node.module)
                elif node.module == "nlp":
                    deps.update(f"nlp.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name.startswith("nlp."))
        graph[name] = deps
    return graph


def test_no_import_cycle_between_nlp_modules():
    graph = _graph()
    modules = {m for m in graph if m != "nlp"}  # the package __init__ re-exports, nothing imports it
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph.get(m, ())):
            if d not in modules:
                continue
            assert state.get(d) != 1, " -> ".join([*path, m, d])
            if d not in state:
                visit(d, [*path, m])
        state[m] = 2

    for m in sorted(modules):
        if m not in state:
            visit(m, [])


def test_lexicon_does_not_import_features():
    assert "nlp.features" not in _graph()["nlp.lexicon"]
