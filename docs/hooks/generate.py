"""The generated parts of the documentation site, derived from the code so they cannot drift.

- `spec_keys`: every key of ``study.toml``, read from the pydantic models of `clusterdx.study`
  (name, type, allowed values, default, range); the prose of each key lives in ``study_keys.toml``
  beside this file, in English and Chinese, and `missing_descriptions` lists the keys without it.
- `public_api`: the public names of each subpackage (its ``__all__``; for a module without one,
  the functions and classes it defines), rendered by mkdocstrings from their docstrings.
- `validation_rows`: every test that compares with an independent reference (R output, a published
  table, a peer package run in the test), read from the test files: the reference it loads, the
  peers it imports and the tolerances it asserts.

The mkdocs hook (`clusterdx_docs`) turns these into Markdown; ``tests/docs/`` checks them.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import annotated_types
from pydantic import AfterValidator, BaseModel
from pydantic_core import PydanticUndefined

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DESCRIPTIONS = HERE / "study_keys.toml"


# --------------------------------------------------------------------------- study spec keys
@dataclass(frozen=True)
class SpecKey:
    """One key of ``study.toml`` as the pydantic models declare it."""

    path: str  # "study.seed", "variables.<name>.unit", "models[kind=panel].formula"
    type: str  # Markdown: allowed values as code, or the type
    default: str  # Markdown: the default, "required" or "—"
    table: bool  # a table (section) rather than a value


def _strip(annotation: Any) -> tuple[Any, list[Any]]:
    """Annotated[X, m...] -> (X, [m...]); X | None -> X (nullable is shown by the default)."""
    metadata: list[Any] = []
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata.extend(extra)
    if _is_union(annotation):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _strip(members[0])[0], metadata + _strip(members[0])[1]
    return annotation, metadata


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (typing.Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _constraints(metadata: list[Any]) -> str:
    symbols = {
        annotated_types.Ge: ("≥", "ge"),
        annotated_types.Gt: (">", "gt"),
        annotated_types.Le: ("≤", "le"),
        annotated_types.Lt: ("<", "lt"),
        annotated_types.MinLen: ("at least", "min_length"),
        annotated_types.MaxLen: ("at most", "max_length"),
    }
    parts = []
    flat: list[Any] = []
    for item in metadata:
        flat.extend(getattr(item, "metadata", None) or [item])
    for item in flat:
        for kind, (symbol, attr) in symbols.items():
            if isinstance(item, kind):
                value = getattr(item, attr)
                shown = (
                    f"2^{value.bit_length() - 1}"
                    if isinstance(value, int) and value >= 2**31
                    else f"{value:,}"
                    if isinstance(value, int)
                    else f"{value:g}"
                )
                parts.append(f"{symbol} {shown}" + (" items" if "len" in attr else ""))
    return ", ".join(parts)


def _is_name(metadata: list[Any]) -> bool:
    return any(isinstance(m, AfterValidator) and m.func.__name__ == "_check_name" for m in metadata)


def _type(annotation: Any, metadata: list[Any] | None = None) -> str:
    """Markdown for a value's type: `"a"` \\| `"b"` for Literals, else a short type name."""
    inner, more = _strip(annotation)
    metadata = (metadata or []) + more
    if _is_name(metadata):
        text = "name"
    elif get_origin(inner) is Literal:
        text = " \\| ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in get_args(inner))
    elif _is_union(inner):
        text = " \\| ".join(_type(a) for a in get_args(inner) if a is not type(None))
    elif get_origin(inner) is list:
        (item,) = get_args(inner)
        text = f"list of {_type(item)}"
    elif get_origin(inner) is tuple:
        text = "[" + ", ".join(_type(a) for a in get_args(inner)) + "]"
    elif get_origin(inner) is dict:
        text = f"table of {_type(get_args(inner)[1])}"
    elif inner is Any:
        text = "any"
    else:
        text = {str: "string", int: "integer", float: "number", bool: "boolean"}.get(
            inner, getattr(inner, "__name__", str(inner))
        )
    bounds = _constraints(metadata)
    return f"{text} ({bounds})" if bounds else text


def _default(field: Any) -> str:
    if field.is_required():
        return "required"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined or value is None:
        return "—"
    if isinstance(value, BaseModel):
        return "—"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _variants(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    """The pydantic models an annotation holds, each with the path suffix that reaches it."""
    inner, _ = _strip(annotation)
    if _is_model(inner):
        return [("", inner)]
    if get_origin(inner) is dict and _is_model(_strip(get_args(inner)[1])[0]):
        return [(".<name>", _strip(get_args(inner)[1])[0])]
    if get_origin(inner) is list:
        item, _ = _strip(get_args(inner)[0])
        if _is_model(item):
            return [("[]", item)]
        if _is_union(item) and all(_is_model(a) for a in get_args(item)):
            out = []
            for model in get_args(item):
                kind = model.model_fields.get("kind")
                values = get_args(kind.annotation) if kind else (model.__name__,)
                out.append((f"[kind={'|'.join(map(str, values))}]", model))
            return out
    return []


def spec_keys(root: type[BaseModel] | None = None, prefix: str = "") -> list[SpecKey]:
    """Every key of the study spec, in declaration order (tables before their keys)."""
    if root is None:
        from clusterdx.study import StudySpec

        root = StudySpec
    keys: list[SpecKey] = []
    for name, field in root.model_fields.items():
        path = f"{prefix}{name}"
        variants = _variants(field.annotation)
        if variants:
            for suffix, model in variants:
                keys.append(SpecKey(path + suffix, "table", _default(field), table=True))
                keys.extend(spec_keys(model, f"{path}{suffix}."))
        else:
            keys.append(
                SpecKey(path, _type(field.annotation, field.metadata), _default(field), False)
            )
    return keys


def generic_path(path: str) -> str:
    """``models[kind=panel].formula`` -> ``models[].formula`` (descriptions shared by variants)."""
    return re.sub(r"\[kind=[^\]]+\]", "[]", path)


def descriptions() -> dict[str, dict[str, str]]:
    """``study_keys.toml``: key path -> {"en": ..., "zh": ...}."""
    with DESCRIPTIONS.open("rb") as handle:
        return tomllib.load(handle)["keys"]


def describe(path: str, table: dict[str, dict[str, str]]) -> dict[str, str] | None:
    return table.get(path) or table.get(generic_path(path))


def missing_descriptions() -> list[str]:
    """Spec keys without an English and a Chinese description in ``study_keys.toml``."""
    table = descriptions()
    return [
        k.path
        for k in spec_keys()
        if not (d := describe(k.path, table)) or not d.get("en") or not d.get("zh")
    ]


def stale_descriptions() -> list[str]:
    """Entries of ``study_keys.toml`` that name no key of the spec (renamed or removed keys)."""
    paths = {k.path for k in spec_keys()} | {generic_path(k.path) for k in spec_keys()}
    return sorted(set(descriptions()) - paths)


def spec_markdown(lang: str) -> str:
    """The study-spec reference: one table per top-level section."""
    table = descriptions()
    head = {
        "en": "| key | type / allowed values | default | meaning |",
        "zh": "| 键 | 类型 / 可选值 | 默认值 | 含义 |",
    }[lang]
    out: list[str] = []
    rows: list[str] = []

    def flush() -> None:
        if rows:
            out.extend([head, "| --- | --- | --- | --- |", *rows, ""])
            rows.clear()

    for key in spec_keys():
        text = (describe(key.path, table) or {}).get(lang, "")
        default = key.default.replace("required", "必填" if lang == "zh" else "required")
        if key.table and "." not in key.path:
            flush()
            out.extend([f"### `{key.path}`", "", text, ""])
        elif key.table:
            flush()
            out.extend([f"#### `{key.path}`", "", text, ""])
        else:
            kind = _zh_type(key.type) if lang == "zh" else key.type
            rows.append(f"| `{key.path}` | {kind} | {default} | {text} |")
    flush()
    return "\n".join(out)


_ZH_TYPES = {
    "list of ": "列表：",
    "table of ": "表：",
    "string": "字符串",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔值",
    "name": "名称",
    "at least": "至少",
    "items": "项",
}


def _zh_type(text: str) -> str:
    """The type column in Chinese (words outside code spans only)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        for en, zh in _ZH_TYPES.items():
            end = "" if en.endswith(" ") else r"(?!\w)"
            parts[i] = re.sub(rf"\b{en}{end}", zh, parts[i])
    return "`".join(parts)


# --------------------------------------------------------------------------- public API
def public_modules() -> list[str]:
    """``clusterdx`` and each module it exports (``clusterdx.__all__``)."""
    import clusterdx

    subs = [n for n in clusterdx.__all__ if not n.startswith("_") and n != "Study"]
    return ["clusterdx", *(f"clusterdx.{n}" for n in sorted(subs))]


def public_names(module_name: str) -> list[str]:
    """A module's public API: its ``__all__`` (minus submodules), else what it defines itself."""
    module = importlib.import_module(module_name)
    if module_name == "clusterdx":
        return ["Study"]
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module_name
        ]
    return sorted(n for n in names if not inspect.ismodule(getattr(module, n, None)))


def api_markdown(module_name: str) -> str:
    """mkdocstrings directives for every public name of a module."""
    module = importlib.import_module(module_name)
    summary = (inspect.getdoc(module) or "").split("\n\n", 1)[0]
    out = [summary, ""]
    for name in public_names(module_name):
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            out.append(f"::: {module_name}.{name}\n")
        else:
            doc = type(obj).__name__
            out.append(
                f"### `{module_name}.{name}`\n\nA constant of type `{doc}`:\n\n```text\n{_short(obj)}\n```\n"
            )
    return "\n".join(out)


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) < 600 else text[:600] + " …"


# --------------------------------------------------------------------------- validation
#: Packages whose results a test may compare ours with (run in the test).
PEERS = (
    "pyfixest",
    "linearmodels",
    "spreg",
    "esda",
    "giddy",
    "wildboottest",
    "pymcdm",
    "statsmodels",
    "sklearn",
)
#: Words in a test's name saying it compares with an independent reference.
NAMED_REFERENCES = (
    *PEERS,
    "sdpdmod",
    "splm",
    "plm",
    "spatialreg",
    "stata",
    "ivreg2",
    "brute_force",
    "hand_worked",
    "hand_counted",
    "published",
)
#: Fixtures of tests/conftest.py that read a file of tests/validation/reference/.
REFERENCE_FIXTURES = {"r_reference": "r_reference.json", "usaww": "usaww.csv", "usa46": "usa46.csv"}


@dataclass(frozen=True)
class ValidationTest:
    """One test comparing with an independent reference."""

    file: str
    test: str
    summary: str
    references: tuple[str, ...]  # reference files / R entries read
    peers: tuple[str, ...]  # peer packages run in the test
    tolerances: tuple[str, ...]  # rtol=… / atol=… asserted


def _constant(node: ast.AST) -> str | None:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else None


def _peer_names(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a peer package: ``import pyfixest as pf``, ``from giddy.markov
    import Markov``, ``wbt = pytest.importorskip("wildboottest")``."""
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (top := alias.name.split(".")[0]) in PEERS:
                    names[alias.asname or top] = top
        elif isinstance(node, ast.ImportFrom) and node.module:
            if (top := node.module.split(".")[0]) in PEERS:
                names.update({a.asname or a.name: top for a in node.names})
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if getattr(call.func, "attr", "") == "importorskip" and call.args:
                top = str(getattr(call.args[0], "value", "")).split(".")[0]
                if top in PEERS:
                    names.update({t.id: top for t in node.targets if isinstance(t, ast.Name)})
    return names


def _scan(node: ast.AST, peer_names: dict[str, str]) -> tuple[set[str], set[str], set[str]]:
    refs: set[str] = set()
    peers: set[str] = set()
    tols: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = sub.args[0] if sub.args else None
            if name == "reference_file" and isinstance(first, ast.Constant):
                refs.add(str(first.value))
            if (
                name == "importorskip"
                and isinstance(first, ast.Constant)
                and (top := str(first.value).split(".")[0]) in PEERS
            ):
                peers.add(top)
            for kw in sub.keywords:
                if kw.arg in ("rtol", "atol", "rel", "abs") and (value := _constant(kw.value)):
                    tols.add(f"{kw.arg}={value}")
        elif isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Name):
            if sub.value.id == "r_reference" and isinstance(sub.slice, ast.Constant):
                refs.add(f"r_reference.json: {sub.slice.value}")
        elif isinstance(sub, ast.Name) and sub.id in peer_names:
            peers.add(peer_names[sub.id])
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            mods = (
                [a.name for a in sub.names] if isinstance(sub, ast.Import) else [sub.module or ""]
            )
            peers.update(m.split(".")[0] for m in mods if m.split(".")[0] in PEERS)
    return refs, peers, tols


def validation_tests() -> list[ValidationTest]:
    """Tests comparing with an independent reference: every test under ``tests/validation/``, and
    any other test that reads a reference file or runs a peer package and asserts a tolerance."""
    out = []
    for path in sorted((REPO / "tests").rglob("test_*.py")):
        parts = path.relative_to(REPO).parts
        if "docs" in parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        peer_names = _peer_names(tree)
        in_validation = "validation" in parts
        file_refs = {
            r
            for n in tree.body
            if not isinstance(n, ast.FunctionDef) or not n.name.startswith("test_")
            for r in _scan(n, {})[0]
        }
        helpers = {
            n.name: n
            for n in tree.body
            if isinstance(n, ast.FunctionDef) and not n.name.startswith("test_")
        }
        for node in tree.body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            refs, peers, tols = _scan(node, peer_names)
            peers |= _helper_peers(node, helpers, peer_names)
            for arg in node.args.args:
                if arg.arg in REFERENCE_FIXTURES and not any(
                    r.startswith(REFERENCE_FIXTURES[arg.arg]) for r in refs
                ):
                    refs.add(REFERENCE_FIXTURES[arg.arg])
            if in_validation and not refs:
                refs = set(file_refs)
            named = {w for w in NAMED_REFERENCES if w in node.name}
            peers |= {w for w in named if w in PEERS}
            if not (in_validation or named or ((refs or peers) and tols)):
                continue
            if not tols and _mentions(node, "assert_printed"):
                tols.add("printed precision")
            doc = ast.get_docstring(node) or ""
            out.append(
                ValidationTest(
                    "/".join(parts),
                    node.name,
                    " ".join(doc.split("\n\n")[0].split()),
                    tuple(sorted(refs)),
                    tuple(sorted(peers)),
                    tuple(sorted(tols)),
                )
            )
    return out


def _mentions(node: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _helper_peers(
    node: ast.AST, helpers: dict[str, ast.FunctionDef], peer_names: dict[str, str]
) -> set[str]:
    """Peers reached through the module's helper functions and fixtures the test uses."""
    seen: set[str] = set()
    peers: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        used = {n.id for n in ast.walk(current) if isinstance(n, ast.Name)}
        if isinstance(current, ast.FunctionDef):
            used |= {a.arg for a in current.args.args}
        for name in used & set(helpers) - seen:
            seen.add(name)
            peers |= _scan(helpers[name], peer_names)[1]
            todo.append(helpers[name])
    return peers


def readme_section(heading: str, path: Path | None = None) -> str:
    """The text of one ``## heading`` section of a Markdown file (README.md by default)."""
    text = (path or REPO / "README.md").read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    after = text.split(heading + "\n", 1)[1]
    return re.split(rf"\n{level} (?!#)", "\n" + after, maxsplit=1)[0].strip()


def validation_markdown(lang: str) -> str:
    """README's table of references with the measured worst differences, then every test."""
    summary = readme_section("## Validation")
    table = summary[summary.index("| reference") :]
    provenance = readme_section(
        "## Models (`r_reference.json`)", REPO / "tests/validation/reference/README.md"
    )
    published = readme_section(
        "## Published and peer-suite references (transcribed figures)",
        REPO / "tests/validation/reference/README.md",
    )
    head = {
        "en": ("test", "what it checks", "reference", "peer run in the test", "tolerance"),
        "zh": ("测试", "检验内容", "参照数据", "测试中运行的同类软件", "容差"),
    }[lang]
    rows = [
        "| " + " | ".join(head) + " |",
        "| --- | --- | --- | --- | --- |",
    ]
    for t in validation_tests():
        rows.append(
            f"| `{t.file}::{t.test}` | {t.summary or '—'} | "
            f"{', '.join(f'`{r}`' for r in t.references) or '—'} | "
            f"{', '.join(t.peers) or '—'} | {', '.join(t.tolerances) or 'exact / see the test'} |"
        )
    titles = {
        "en": (
            "### References and worst measured difference",
            "### R models (`r_reference.json`)",
            "### Published and peer-suite references",
            "### Every comparison in the test suite",
        ),
        "zh": (
            "### 参照来源与实测最大相对误差",
            "### R 模型（`r_reference.json`）",
            "### 已发表结果与同类软件自带测试",
            "### 测试套件中的全部比对",
        ),
    }[lang]
    return "\n\n".join(
        [titles[0], table, titles[1], provenance, titles[2], published, titles[3], "\n".join(rows)]
    )
