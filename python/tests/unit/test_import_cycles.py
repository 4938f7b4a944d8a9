"""
The package's modules import each other one way only: no cycle, not even through an import inside
a function (which hides a cycle from Python until the function runs, and from the reader always).
"""

import ast
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "nautilus_trader_uw"


def _module_name(path: Path, top: Path) -> str:
    parts = list(path.relative_to(top.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_submodule(package_dir: Path, name: str) -> bool:
    # Any file or folder named `name` (`x.py`, `x/`, the `_core.*.so` extension, `x.pyi`).
    return package_dir.is_dir() and any(p.name.split(".")[0] == name for p in package_dir.iterdir())


def import_graph(top: Path) -> dict[str, set[str]]:
    """
    Module -> the package's modules it imports, anywhere in its body. `from pkg import name` counts
    as importing the submodule `pkg.name` when there is one, else `pkg` itself; the parents Python
    imports on the way do not count.
    """
    files = {_module_name(p, top): p for p in top.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in files}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = name.split(".")
                    anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                    base = ".".join([*anchor, base] if base else anchor)
                base_dir = top.parent.joinpath(*base.split("."))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    targets.append(full if _is_submodule(base_dir, alias.name) else base)
            graph[name].update(t for t in targets if t in files and t != name)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """
    One import cycle as `[a, b, ..., a]`, or None.
    """
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for dep in sorted(graph[module]):
            if dep in on_path:
                return [*path[path.index(dep) :], dep]
            if dep not in done and (cycle := visit(dep)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return None


def test_the_package_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    assert "nautilus_trader_uw.cli" in graph, "the walk found the package's modules"
    assert "nautilus_trader_uw.cli_support" in graph["nautilus_trader_uw.demo"], "imports are seen"
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("from pkg.b import f\n", "def g():\n    from pkg.a import h\n"),
        ("from . import b\n", "import pkg.a\n"),
        ("from .b import f\n", "from pkg import a\n"),
    ],
)
def test_a_cycle_is_found_whatever_the_import_form(tmp_path, a, b):
    top = tmp_path / "pkg"
    top.mkdir()
    (top / "__init__.py").write_text("")
    (top / "a.py").write_text(a)
    (top / "b.py").write_text(b)
    assert find_cycle(import_graph(top)) == ["pkg.a", "pkg.b", "pkg.a"]


def test_importing_names_from_the_package_itself_is_no_cycle(tmp_path):
    # Every submodule runs `pkg/__init__.py` first; only a name imported from it is an edge.
    top = tmp_path / "pkg"
    top.mkdir()
    (top / "__init__.py").write_text("from pkg import _ext\nfrom pkg.a import A\n")
    (top / "_ext.cpython-313-x86_64-linux-gnu.so").write_bytes(b"")
    (top / "a.py").write_text("from pkg import _ext\nA = 1\n")
    (top / "b.py").write_text("from pkg import A\n")
    graph = import_graph(top)
    assert graph == {"pkg": {"pkg.a"}, "pkg.a": set(), "pkg.b": {"pkg"}}
    assert find_cycle(graph) is None
