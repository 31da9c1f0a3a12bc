"""The layers depend one way, and no module imports itself back in a circle.

Floors, from the bottom up:
  0 core      saas.config, saas.extensions, saas.models_base, saas.after_commit, saas.urls,
              saas.csvfile, saas.connections, saas.outbox, saas.bounds, saas.text (and the bare
              `saas` package)
  1 tenants   tenancy: builds on the core, never on a feature
  2 features  every other module under saas/ (accounts, partners, catalogue, referrals, ...)
  3 edges     blueprints/ and workers/: they use features and tenants, and each other never
  4 app       saas.app: the composition root, the only code under saas/ that imports
              blueprints/ or workers/

The graph is read from the source with `ast`, every import counted, those inside functions too:
a local import is still a dependency, it only hides a circle until the function runs. Imports
under `if TYPE_CHECKING:` never run and are left out.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("saas", "tenants", "blueprints", "workers")
CORE = {
    "saas",
    "saas.config",
    "saas.extensions",
    "saas.models_base",
    "saas.after_commit",
    "saas.urls",
    "saas.csvfile",
    "saas.connections",
    "saas.outbox",
    "saas.bounds",
    "saas.text",
}
# Imports that run up a floor, each with its reason. The issue allows at most five.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _type_only(tree: ast.AST) -> set[int]:
    """Ids of the import nodes under `if TYPE_CHECKING:`: they never run."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    type_only = _type_only(tree)
    targets: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if path.name != "__init__.py":
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names = [source] + [f"{source}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name)
            if target and target != module:
                targets.add(target)
    return targets


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def floor(module: str) -> int:
    top = module.split(".")[0]
    if module == "saas.app" or module.startswith("saas.app."):
        return 4
    if top in ("blueprints", "workers"):
        return 3
    if top == "tenants":
        return 1
    if module in CORE:
        return 0
    return 2


def _circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in GRAPH:
        if root in index:
            continue
        work = [(root, iter(sorted(GRAPH[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(GRAPH[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
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


def test_the_graph_sees_every_package():
    assert {m.split(".")[0] for m in MODULES} == set(PACKAGES)
    assert "saas.app" in MODULES and "workers.relays" in MODULES


def test_no_module_imports_itself_back_through_others():
    assert _circles() == []


def test_imports_never_run_up_a_floor():
    upward = {
        (source, target): (floor(source), floor(target))
        for source, targets in GRAPH.items()
        for target in targets
        if floor(target) > floor(source)
    }
    unexplained = {pair: floors for pair, floors in upward.items() if pair not in ALLOWED_UPWARD}
    assert unexplained == {}
    assert len(ALLOWED_UPWARD) <= 5


def test_blueprints_and_workers_do_not_import_each_other():
    crossing = sorted(
        (source, target)
        for source, targets in GRAPH.items()
        for target in targets
        if {source.split(".")[0], target.split(".")[0]} == {"blueprints", "workers"}
    )
    assert crossing == []


def test_tenants_import_no_feature():
    leaks = sorted(
        (source, target)
        for source, targets in GRAPH.items()
        if source.startswith("tenants")
        for target in targets
        if floor(target) > 1
    )
    assert leaks == []


def test_a_feature_never_imports_the_app_blueprints_or_workers():
    leaks = sorted(
        (source, target)
        for source, targets in GRAPH.items()
        if floor(source) <= 2
        for target in targets
        if floor(target) >= 3
    )
    assert leaks == []


def test_only_the_composition_root_imports_the_composition_root():
    users = sorted(
        source
        for source, targets in GRAPH.items()
        if floor(source) < 4 and any(floor(t) == 4 for t in targets)
    )
    assert users == []


def test_every_module_imports():
    """The graph above is the code that runs: every module it read imports."""
    for module in sorted(MODULES):
        importlib.import_module(module)


def test_the_checker_finds_a_circle_and_an_upward_import(monkeypatch):
    """The checks above can fail: a planted circle and a planted upward import are found."""
    planted = {m: set(t) for m, t in GRAPH.items()}
    planted["saas.extensions"].add("workers.relays")
    monkeypatch.setattr(__import__(__name__, fromlist=["GRAPH"]), "GRAPH", planted)
    assert _circles() != []
    assert floor("workers.relays") > floor("saas.extensions")
