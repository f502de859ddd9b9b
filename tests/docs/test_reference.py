"""Every study key, public name, page and README command is documented (fast checks, no build)."""

from __future__ import annotations

import ast
import re

import yaml

from tests.conftest import REPO

DOCS = REPO / "docs"


def _nav_files() -> set[str]:
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    return set(re.findall(r":\s*([\w/.-]+\.md)\s*$", text, flags=re.M))


def test_every_spec_key_has_an_english_and_a_chinese_description(generate):
    missing = generate.missing_descriptions()
    assert not missing, (
        f"study.toml keys without a description: {missing}; add them to "
        "docs/hooks/study_keys.toml (en and zh)"
    )


def test_no_description_names_a_key_the_spec_does_not_have(generate):
    stale = generate.stale_descriptions()
    assert not stale, f"docs/hooks/study_keys.toml describes keys the spec lacks: {stale}"


def test_spec_reference_lists_every_key_with_its_allowed_values(generate):
    from clusterdx.study import Cleaning

    for lang in ("en", "zh"):
        page = generate.spec_markdown(lang)
        for key in generate.spec_keys():
            assert f"`{key.path}`" in page, (lang, key.path)
    row = next(line for line in page.splitlines() if line.startswith("| `cleaning.missing`"))
    allowed = Cleaning.model_fields["missing"].annotation.__args__
    assert all(f'`"{value}"`' in row for value in allowed), row


def test_a_new_spec_key_without_description_is_reported(generate, monkeypatch):
    keys = [*generate.spec_keys(), generate.SpecKey("study.new_key", "string", "—", False)]
    monkeypatch.setattr(generate, "spec_keys", lambda: keys)
    assert generate.missing_descriptions() == ["study.new_key"]


def test_every_public_module_has_an_api_page_in_the_nav(generate):
    nav = _nav_files()
    for module in generate.public_modules():
        page = DOCS / "reference" / "api" / f"{module.split('.')[-1]}.md"
        assert page.exists(), f"{module} has no API page {page.relative_to(REPO)}"
        assert f"{{{{ api {module} }}}}" in page.read_text(encoding="utf-8"), page
        assert str(page.relative_to(DOCS)) in nav, (
            f"{page.relative_to(DOCS)} is not in mkdocs.yml nav"
        )


def test_every_public_name_is_rendered_and_has_a_docstring(generate):
    import importlib
    import inspect

    undocumented = []
    for module_name in generate.public_modules():
        module = importlib.import_module(module_name)
        page = generate.api_markdown(module_name)
        for name in generate.public_names(module_name):
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                assert f"::: {module_name}.{name}\n" in page, (module_name, name)
                if not (inspect.getdoc(obj) or "").strip():
                    undocumented.append(f"{module_name}.{name}")
            else:
                assert f"`{module_name}.{name}`" in page, (module_name, name)
    assert not undocumented, f"public names without a docstring: {undocumented}"


def test_every_page_has_a_chinese_version_with_the_same_code():
    fence = re.compile(r"^```python[^\n]*\n(.*?)^```", flags=re.M | re.S)
    for page in sorted(DOCS.rglob("*.md")):
        if page.name.endswith(".zh.md") or "api" in page.parts or "hooks" in page.parts:
            continue
        zh = page.with_name(page.stem + ".zh.md")
        assert zh.exists(), f"{page.relative_to(REPO)} has no Chinese version {zh.name}"
        en_code = fence.findall(page.read_text(encoding="utf-8"))
        zh_code = [
            c.replace('lang="zh"', 'lang="en"')
            for c in fence.findall(zh.read_text(encoding="utf-8"))
        ]
        assert zh_code == en_code, f"{zh.relative_to(REPO)}: its code differs from {page.name}"


def test_every_nav_page_exists_and_every_page_is_in_the_nav():
    nav = _nav_files()
    pages = {
        str(p.relative_to(DOCS))
        for p in DOCS.rglob("*.md")
        if not p.name.endswith(".zh.md") and "hooks" not in p.parts
    }
    assert nav == pages


def test_mkdocs_config_is_strict_and_uses_the_hook():
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = yaml.load(text, Loader=yaml.BaseLoader)  # plain YAML: the file has no !tags
    assert config["strict"] == "true"
    assert config["hooks"] == ["docs/hooks/clusterdx_docs.py"]


def _commands(readme: str, heading: str, tests_intro: str) -> list[str]:
    section = readme.split(heading, 1)[1]
    install = re.search(r"```bash\n(.*?)\n```", section, flags=re.S).group(1)
    tests = re.search(rf"{tests_intro}\n\n```bash\n(.*?)\n```", section, flags=re.S).group(1)
    return [install, tests]


def test_readme_zh_has_the_same_two_commands_as_readme():
    en = (REPO / "README.md").read_text(encoding="utf-8")
    zh = (REPO / "README.zh.md").read_text(encoding="utf-8")
    assert _commands(en, "## Quick start", "Run the tests:") == _commands(
        zh, "## 快速上手", "运行测试："
    )
    build = "```bash\n.venv/bin/mkdocs build --strict\n```"
    assert build in en and build in zh


def test_getting_started_pages_have_the_readme_commands():
    en = (REPO / "README.md").read_text(encoding="utf-8")
    commands = _commands(en, "## Quick start", "Run the tests:")
    assert (
        _commands(
            (DOCS / "getting-started.md").read_text(encoding="utf-8"),
            "# Getting started",
            "Run the tests:",
        )
        == commands
    )
    assert (
        _commands(
            (DOCS / "getting-started.zh.md").read_text(encoding="utf-8"), "# 快速上手", "运行测试："
        )
        == commands
    )


def test_validation_page_lists_every_validation_test(generate):
    found = generate.validation_tests()  # parses every test file: once
    listed = {(t.file, t.test) for t in found}
    for path in sorted((REPO / "tests" / "validation").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                assert (str(path.relative_to(REPO)), node.name) in listed, node.name
    peers = {p for t in found for p in t.peers}
    assert {"pyfixest", "linearmodels", "giddy", "spreg"} <= peers
