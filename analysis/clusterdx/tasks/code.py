"""Which package files each pipeline step runs, derived from the source (never a hand-kept list).

pytask tracks the source of a task function, not the library code it calls, so every step also
depends on a hash of the package files it reaches. They are found statically with `ast`:

1. in the module of the step's entry function, the module-level functions, classes and constants
   that the entry function names, transitively, and the ``clusterdx`` modules those bind (imports
   at module level or inside the reached functions);
2. from there, every ``clusterdx`` module imported anywhere in a reached module (its whole source,
   function-local imports included), transitively;
3. the data files (CSV, JSON) shipped in the folders of the reached subpackages.

Step 1 parses the entry modules with `ast`. Step 2, over a hundred modules on every ``clusterdx
run``, does not parse them: a line scan finds the statements that start with ``import`` or
``from`` (doctest lines start with ``>>>`` / ``...`` and are skipped), and only those statements
are parsed. It finds every import `ast` finds; it may find more where a docstring or string holds
an import-like line at the start of a line (e.g. an indented ``from clusterdx import weights``
example without prompts), so its file sets are the same or a superset: a step errs on the side
of rerunning, never of missing a change.

Step 1 keeps the steps apart although they share `clusterdx.tasks.steps` (cleaning a source does
not run the estimators); step 2 is module-level and so errs on the side of rerunning: a module
counts as run once it is imported. Hashing the whole package instead would rerun the raw-file
cleaning after any edit of a table renderer; a hand-kept list went stale (it missed ``compute/``,
which the indicator recipes call). Parent packages' ``__init__`` files run on import but only
count when a reached module imports them, as ``clusterdx/__init__.py`` re-exports everything.

Examples
--------
>>> from clusterdx.tasks.code import step_files
>>> from clusterdx.tasks import steps
>>> "compute/backends.py" in step_files([steps.build_indicators])
True
>>> "report/_latex.py" in step_files([steps.clean_source])
False
"""

from __future__ import annotations

import ast
import functools
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
_ROOT = PACKAGE.name
_DATA_SUFFIXES = (".csv", ".json")
#: A statement that starts a line with ``import`` or ``from``: to the end of the line (with any
#: backslash continuations), or to the closing parenthesis of a parenthesised name list.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:import[ \t]|from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|))[^\n]*(?:\\\n[^\n]*)*",
    re.MULTILINE,
)


def _module_file(module: str, package: Path) -> Path | None:
    """The source file of ``clusterdx.a.b`` under ``package`` (a module or a package's __init__)."""
    parts = module.split(".")[1:]
    base = package.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if parts and path.is_file():
            return path
    return package / "__init__.py" if not parts else None


def _imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements in ``node`` at any depth; only statements are visited, as no
    expression holds one (a fraction of the nodes `ast.walk` visits)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.stmt | ast.excepthandler | ast.match_case):
            yield from _imports(child)


def _bindings(node: ast.AST, module: str, package: Path) -> dict[str, str]:
    """Local names bound by the ``clusterdx`` imports in ``node`` -> the module each one names."""
    is_package = _module_file(module, package).name == "__init__.py"
    out: dict[str, str] = {}
    for item in _imports(node):
        if isinstance(item, ast.Import):
            for alias in item.names:
                if alias.name.split(".")[0] == _ROOT:
                    local = alias.asname or alias.name.split(".")[0]
                    out[local] = alias.name if alias.asname else _ROOT
                    out[f"import:{alias.name}"] = alias.name
        elif isinstance(item, ast.ImportFrom):
            base = item.module or ""
            if item.level:
                anchor = module.split(".")[: len(module.split(".")) - item.level + is_package]
                base = ".".join([*anchor, *([base] if base else [])])
            if base.split(".")[0] != _ROOT:
                continue
            for alias in item.names:
                candidate = f"{base}.{alias.name}"
                target = candidate if _module_file(candidate, package) else base
                out[alias.asname or alias.name] = target
    return out


def _parse(module: str, package: Path) -> ast.Module:
    return _parsed(_module_file(module, package).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=512)
def _parsed(source: str) -> ast.Module:
    """The syntax tree of a source text (memoised by content, so an edited file is re-read)."""
    return ast.parse(source)


def _imported_modules(module: str, package: Path) -> set[str]:
    """Every ``clusterdx`` module imported anywhere in ``module``'s source (line scan, step 2)."""
    source = _module_file(module, package).read_text(encoding="utf-8")
    return set(_bindings(_import_statements(source), module, package).values())


@functools.lru_cache(maxsize=512)
def _import_statements(source: str) -> ast.Module:
    """The import statements that start a line of ``source``, parsed one by one (an import-like
    line of prose that is no statement is left out), as a module of them."""
    body = []
    for match in _IMPORT_LINE.finditer(source):
        try:
            body.extend(ast.parse(match.group(0).strip()).body)
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[])


def _entry_modules(func: Callable, package: Path) -> set[str]:
    """The modules that ``func`` and the module-level code it reaches name (step 1)."""
    module = func.__module__
    tree = _parse(module, package)
    imports = _bindings(tree, module, package)
    defs: dict[str, list[ast.AST]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defs.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defs.setdefault(name.id, []).append(node)
    reached, todo, seen = set(), [func.__name__], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for node in defs.get(name, []):
            reached |= {m for k, m in _bindings(node, module, package).items()}
            for item in ast.walk(node):
                if isinstance(item, ast.Name) and item.id in imports:
                    reached.add(imports[item.id])
                elif isinstance(item, ast.Name) and item.id in defs:
                    todo.append(item.id)
    return reached


def step_files(entries: Iterable[Callable], package: Path = PACKAGE) -> list[str]:
    """Package-relative paths of the files the step functions ``entries`` run, sorted."""
    entries = [f for f in entries if f.__module__.split(".")[0] == _ROOT]  # not a test's own
    modules = {func.__module__ for func in entries}
    todo = set().union(*(_entry_modules(func, package) for func in entries)) - modules
    while todo:
        module = todo.pop()
        if module not in modules and _module_file(module, package) is not None:
            modules.add(module)
            todo |= _imported_modules(module, package) - modules
    files = {_module_file(m, package) for m in modules}
    folders = {path.parent for path in files if path.parent != package}
    for folder in folders:
        files |= {p for p in folder.rglob("*") if p.suffix in _DATA_SUFFIXES and p.is_file()}
    return sorted(path.relative_to(package).as_posix() for path in files)


def code_hash(entries: Iterable[Callable], package: Path = PACKAGE) -> str:
    """SHA-256 over the names and bytes of `step_files`."""
    digest = hashlib.sha256()
    for name in step_files(entries, package):
        digest.update(name.encode())
        digest.update((package / name).read_bytes())
    return digest.hexdigest()
