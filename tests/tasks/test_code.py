"""clusterdx.tasks.code: the package files each pipeline step runs, derived from the imports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clusterdx.tasks import steps
from clusterdx.tasks.code import PACKAGE, code_hash, step_files
from clusterdx.tasks.pipeline import STEP_FUNCTIONS, step_functions


@pytest.fixture
def package(tmp_path) -> Path:
    """A copy of the package's sources and data files to edit."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    return Path(shutil.copytree(PACKAGE, tmp_path / PACKAGE.name, ignore=ignore))


@pytest.mark.slow
def test_editing_a_backend_changes_the_indicators_step_hash_only_where_reached(package):
    before = {step: code_hash(step_functions(step), package) for step in STEP_FUNCTIONS}
    with (package / "compute" / "backends.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    after = {step: code_hash(step_functions(step), package) for step in STEP_FUNCTIONS}
    assert after["indicators"] != before["indicators"]
    assert after["models"] != before["models"]  # the analyses read indicators' code too
    assert after["clean"] == before["clean"] and after["panel"] == before["panel"]


def test_a_step_reaches_what_its_function_calls_not_its_whole_module():
    clean = step_files([steps.clean_source])
    assert {"data/readers.py", "data/panel.py", "regions/registry.py", "study.py"} <= set(clean)
    assert "tasks/steps.py" in clean and "regions/data/province.csv" in clean
    assert not any(name.startswith(("spatial/models", "report/", "compute/")) for name in clean)
    indicators = step_files([steps.build_indicators])
    assert {"indicators/recipes.py", "compute/backends.py", "compute/partitions.py"} <= set(
        indicators
    )
    models = step_files(step_functions("models"))
    assert {"spatial/models.py", "panel/threshold.py", "report/_regression.py"} <= set(models)


def test_function_local_imports_are_followed():
    # spatial.fit imports clusterdx.spatial.dynamic inside the function
    assert "spatial/dynamic.py" in step_files([steps.fit_models])
    # the iv runner's with_historical_instruments imports clusterdx.panel.instruments inside it
    assert "panel/instruments.py" in step_files(step_functions("models"))


def test_the_line_scan_finds_every_import_the_syntax_tree_finds():
    """Step 2 scans lines instead of parsing: the same modules as `ast` or more, never fewer."""
    from clusterdx.tasks.code import _bindings, _imported_modules, _parse

    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        parsed = set(_bindings(_parse(module, PACKAGE), module, PACKAGE).values())
        assert parsed <= _imported_modules(module, PACKAGE), module
