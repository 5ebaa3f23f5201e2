"""Structure rules that keep the code base navigable as areas are added (issue: the house before
the new floors). They read the source as text; nothing is imported."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2] / "platform"
PACKAGE = SOURCE_ROOT / "enforcement"
MAX_LINES = 600


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.relative_to(PACKAGE).parts:
            continue
        parts = list(path.relative_to(SOURCE_ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules an import statement names (function-level imports included)."""
    names: set[str] = set()
    if isinstance(node, ast.Import):
        names = {alias.name for alias in node.names}
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            anchor = anchor if is_package else anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        for alias in node.names:
            candidate = f"{base}.{alias.name}"
            names.add(candidate if candidate in known else base)
    found = set()
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(node, module, is_package, known)
        edges.discard(module)
        graph[module] = edges
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_platform_is_longer_than_600_lines():
    too_long = {
        str(path.relative_to(SOURCE_ROOT)): n
        for path in _modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}


def test_no_import_cycle_between_modules_of_the_platform_not_even_through_function_level_imports():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_sees_a_cycle_made_by_a_function_level_import():
    # Positive control: a graph with a cycle closed inside a function is reported.
    source = "import b\n"
    other = "def f():\n    from a import x\n"
    graph = {
        "a": {
            n
            for node in ast.walk(ast.parse(source))
            for n in _imported(node, "a", False, {"a", "b"})
        },
        "b": {
            n
            for node in ast.walk(ast.parse(other))
            for n in _imported(node, "b", False, {"a", "b"})
        },
    }
    assert cycles(graph) == [["a", "b"]]


def test_no_benchmark_script_shadows_a_standard_library_module():
    # `python bench/x.py` puts bench/ first on sys.path: a bench/statistics.py hid the stdlib's
    # `statistics` from every other benchmark.
    bench = Path(__file__).resolve().parents[2] / "bench"
    scripts = {path.stem for path in bench.glob("*.py")}
    assert "library_search" in scripts
    assert sorted(scripts & sys.stdlib_module_names) == []


def test_no_test_module_imports_another_test_module():
    # Shared builders live in tests/support: a test module imported by another runs its tests'
    # module-level code twice and ties the two files' fixtures together.
    tests = Path(__file__).resolve().parents[1]
    modules = {path.stem for path in tests.rglob("test_*.py")}
    assert "test_workflow" in modules
    found = []
    for path in sorted(tests.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {name}" for name in names if name.split(".")[-1] in modules]
    assert found == []
