"""The package keeps the shape CONTRIBUTING.md describes: wings in layers, no import circles,
imports at the top (bar a few optional heavy ones), nothing imported from scripts/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from camulenet.storage.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "camulenet"
#: The wings from the bottom up: a wing imports only wings before it (CONTRIBUTING.md).
LAYERS = ["storage", "config", "data", "features", "model", "training", "evaluation", "grid", "experiments",
          "pipeline", "plots", "book"]
#: The one import that runs from a lower layer to a higher one, and why (CONTRIBUTING.md).
UPWARD = {("camulenet.training.trainer", "camulenet.evaluation.metrics")}
#: Modules a function may import for itself: optional or slow-to-import dependencies.
LAZY = {"whisper", "whisper.model", "librosa", "torchvision", "torch.hub", "resource", "torch",
        "data_prep.synthetic.generate", "camulenet.features.extract", "camulenet.features.benchmark"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(REPO_ROOT).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(name: str, path: Path, modules) -> list[tuple[str, bool, int]]:
    """(imported module, inside a function?, line) for every import of a package module or a lazy one."""
    tree = ast.parse(path.read_text())
    in_function = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                   for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        out += [(t, id(node) in in_function, node.lineno) for t in targets]
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: {t for t, _, _ in _imports(name, path, modules) if t in modules and t != name}
            for name, path in modules.items()}


def _wing(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "camulenet"


def test_the_package_has_a_dozen_entries_each_a_wing_of_the_map():
    entries = sorted(p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__")))
    wings = {p.removesuffix(".py") for p in entries} - {"__init__", "__main__"}
    assert wings == set(LAYERS), entries
    assert len(entries) <= 14


def test_no_import_circles():
    graph = _graph()
    seen, stack, on_stack = set(), [], set()

    def visit(m):  # depth-first search; a back edge closes a circle
        seen.add(m)
        stack.append(m)
        on_stack.add(m)
        for n in sorted(graph[m]):
            if n in on_stack:
                pytest.fail("import circle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n not in seen:
                visit(n)
        stack.pop()
        on_stack.discard(m)

    for m in sorted(graph):
        if m not in seen:
            visit(m)


def test_wings_import_only_the_layers_below_them():
    rank = {w: i for i, w in enumerate(LAYERS)}
    upward = {(a, b) for a, targets in _graph().items() for b in targets
              if _wing(a) in rank and _wing(b) in rank and rank[_wing(b)] > rank[_wing(a)]}
    assert upward == UPWARD


def test_imports_sit_at_the_top_unless_lazy_and_never_reach_scripts():
    modules = _modules()
    late = []
    for name, path in modules.items():
        text = path.read_text()
        assert "scripts" not in {t.split(".")[0] for t, _, _ in _imports(name, path, modules)}, name
        assert "spec_from_file_location" not in text, f"{name} loads a file as a module"
        for target, inside, line in _imports(name, path, modules):
            if inside and target not in LAZY and target.rpartition(".")[0] not in LAZY:
                late.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {target} inside a function")
    assert not late, "\n".join(late)


def test_the_checks_see_a_circle_and_a_late_import(tmp_path, monkeypatch):
    """The checks above can fail: a circle and a function-level import in a scratch package are found."""
    pkg = tmp_path / "camulenet"
    (pkg / "storage").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "storage" / "__init__.py").write_text("")
    (pkg / "storage" / "a.py").write_text("from camulenet.storage import b\n")
    (pkg / "storage" / "b.py").write_text("def f():\n    from camulenet.storage import a\n")
    monkeypatch.setattr(f"{__name__}.PACKAGE", pkg)
    monkeypatch.setattr(f"{__name__}.REPO_ROOT", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="import circle"):
        test_no_import_circles()
    with pytest.raises(AssertionError, match="inside a function"):
        test_imports_sit_at_the_top_unless_lazy_and_never_reach_scripts()
