"""The package's house rules, read from its source: each subpackage says what it owns and what
it may import, and imports nothing else; no two modules import each other, directly or round
a circle; no module imports another's private names; no function runs over 100 lines."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"
SUBPACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
MAX_FUNCTION_LINES = 100


def dotted(path: Path) -> str:
    """``text/cleaning.py`` → ``text.cleaning``; ``reuse/__init__.py`` → ``reuse``."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {dotted(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, source: str | None = None):
    """``(line, module imported, name imported)`` for every import of the package in
    ``path`` (or in ``source``, as if it were that file), at its top or inside a function,
    relative (``from ..corpus.load import x``) or absolute (``from analysis.corpus.load import x``)."""
    module = dotted(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "analysis":
            target = node.module.split(".")[1:]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "analysis":
                    yield node.lineno, alias.name.removeprefix("analysis").lstrip("."), None
            continue
        else:
            continue
        for alias in node.names:
            whole = ".".join([*target, alias.name])
            if whole in MODULES:  # from . import config: the module config
                yield node.lineno, whole, None
            else:
                yield node.lineno, ".".join(target), alias.name


def allowed(subpackage: str) -> set[str]:
    """The layers a subpackage's docstring says it may import (its second line)."""
    doc = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text(encoding="utf-8")))
    return set(re.findall(r"analysis\.(\w+)", doc.splitlines()[1]))


@pytest.mark.parametrize("subpackage", SUBPACKAGES)
def test_each_subpackage_says_in_two_lines_what_it_owns_and_may_import(subpackage):
    doc = ast.get_docstring(ast.parse((PACKAGE / subpackage / "__init__.py").read_text(encoding="utf-8")))
    lines = doc.splitlines()
    assert len(lines) == 2 and lines[0].lower().startswith(subpackage) and lines[1].startswith("May import:")
    assert allowed(subpackage) <= {*SUBPACKAGES, "config"}


def test_the_layers_are_the_ones_the_docstrings_name():
    # The pipeline from the bottom up: a layer names only layers below it.
    assert allowed("common") == {"config"}
    assert allowed("text") == {"common"}
    assert allowed("corpus") == {"text", "common"}
    assert allowed("measures") == {"corpus", "text", "common"}
    assert allowed("extract") == allowed("reuse") == {"measures", "corpus", "text", "common"}
    assert allowed("output") == {"extract", "reuse", "measures", "corpus", "text", "common"}


def upward_imports(path: Path, source: str | None = None) -> list[str]:
    """The imports of a module that reach above its layer: anything but its own subpackage,
    ``analysis.config`` and the layers its subpackage's docstring allows."""
    name = dotted(path)
    if "." not in name:
        return []  # analysis/__init__.py and config.py
    layer = name.split(".")[0]
    return [f"{path.relative_to(PACKAGE)}:{line} imports analysis.{target}"
            for line, target, _ in imports(path, source)
            if target.split(".")[0] not in (layer, "config", "", *allowed(layer))]


def test_no_layer_imports_a_higher_one():
    """A module of ``text/`` that needs a measure is in the wrong place (or the measure is)."""
    assert [wrong for path in MODULES.values() for wrong in upward_imports(path)] == []


def test_the_check_sees_a_lower_layer_importing_a_higher_one():
    probe = PACKAGE / "text" / "probe.py"
    source = "from .chars import HAN\n\n\ndef f():\n    from ..measures.vocabulary import frequencies\n"
    assert upward_imports(probe, source) == ["text/probe.py:5 imports analysis.measures.vocabulary"]
    assert upward_imports(PACKAGE / "output" / "probe.py", source.replace(".chars", "..text.chars")) == []


def test_every_import_of_the_package_names_a_module_that_exists():
    missing = [f"{path.relative_to(PACKAGE)}:{line} imports analysis.{target}"
               for path in MODULES.values() for line, target, _ in imports(path)
               if target and target not in MODULES]
    assert missing == []


def test_no_circular_imports():
    """The modules, with an edge for each import (top-level or inside a function), form no
    cycle: campaigns and formulas, dates and heads, the corpus and its pipeline each import
    in one direction only."""
    graph = {name: {target for _, target, _ in imports(path) if target in MODULES and target != name}
             for name, path in MODULES.items()}
    graph = {name: edges - {""} for name, edges in graph.items()}
    cycles, state = [], {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" → ".join([*trail[trail.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_no_module_imports_another_modules_private_names():
    private = [f"{path.relative_to(PACKAGE)}:{line} imports {name} from analysis.{target}"
               for path in MODULES.values() for line, target, name in imports(path)
               if name and name.startswith("_")]
    assert private == []


def function_lengths(path: Path):
    """``(name, first line, lines)`` of every function and method, its docstring left out:
    the code a reader has to hold at once."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            body = node.body[0]
            if isinstance(body, ast.Expr) and isinstance(body.value, ast.Constant) and isinstance(body.value.value,
                                                                                                    str):
                lines -= body.end_lineno - body.lineno + 1
            yield node.name, node.lineno, lines


def test_no_function_runs_over_100_lines():
    long = [f"{path.relative_to(PACKAGE)}:{line} {name} ({lines} lines)"
            for path in MODULES.values() for name, line, lines in function_lengths(path)
            if lines > MAX_FUNCTION_LINES]
    assert long == []


def test_function_lengths_are_counted_without_the_docstring(tmp_path):
    source = tmp_path / "f.py"
    source.write_text('def f():\n    """One.\n\n    Two."""\n    a = 1\n    return a\n', encoding="utf-8")
    assert list(function_lengths(source)) == [("f", 1, 3)]
