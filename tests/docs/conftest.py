"""The documentation generators (docs/hooks/generate.py) importable by the docs tests."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import REPO

HOOKS = REPO / "docs" / "hooks"


@pytest.fixture(scope="session")
def generate():
    spec = importlib.util.spec_from_file_location("generate", HOOKS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate", module)
    spec.loader.exec_module(module)
    return module
