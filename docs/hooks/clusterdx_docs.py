"""mkdocs hook: fills the generated parts of the pages, runs every Python snippet, builds the tutorial.

Markers (a line of their own in a page) are replaced before Markdown is rendered:

``{{ spec }}``                 the study-spec reference (`generate.spec_markdown`)
``{{ validation }}``           the validation tables (`generate.validation_markdown`)
``{{ api clusterdx.panel }}``  mkdocstrings directives for every public name of the module
``{{ study NAME }}``           the blocks of ``analysis/study.toml`` for a table (``indicators.dt``)
                               or an entry (``name = "fe_twoways"``) as a TOML code block
``{{ table NAME }}``           ``reports/tables/NAME.md`` of the default study, built in the page's
                               language by the pipeline itself (``build/docs/<lang>/``, or the build
                               of ``analysis/study.toml`` in that language whose spec file the
                               environment variable ``CLUSTERDX_DOCS_STUDY_<LANG>`` names: the
                               test suite hands over its session build of the demo)
``{{ figure NAME }}``          ``reports/figures/NAME.png`` of that build, embedded in the page

Then every ```` ```python ```` block of the page runs, in order, in one namespace per page (like a
notebook), in a scratch folder where ``analysis/``, ``data_raw/`` and ``tests/`` point at the
repository; what it prints is shown below it. A failing snippet, an unknown marker or a missing
table fails the build.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import re
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate

REPO = generate.REPO
BUILD = REPO / "build" / "docs"
MARKER = re.compile(r"^\{\{ (?P<what>\w+)(?: (?P<arg>[^}]+?))? \}\}[ ]*$", re.M)
FENCE = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```[ ]*$", re.M | re.S)
RAW = " output=markdown"  # a block whose printed output is Markdown (a table) shown as such
OUTPUT_TITLE = {"en": "Output", "zh": "输出"}
TIMINGS: dict[str, float] = {}
_BUILT: dict[str, tuple[Path, Path]] = {}  # language: (reports folder, clean-data folder)


def _language(config) -> str:
    i18n = config.plugins.get("i18n")
    return getattr(i18n, "current_language", None) or "en"


def _build(lang: str) -> tuple[Path, Path]:
    """(reports, clean data) of the default study in ``lang``: run into ``build/docs/<lang>/``
    (pytask: only what changed), or the finished build that ``CLUSTERDX_DOCS_STUDY_<LANG>`` names."""
    if lang not in _BUILT:
        from clusterdx.study import Study
        from clusterdx.tasks import run

        start = time.perf_counter()
        given = os.environ.get(f"CLUSTERDX_DOCS_STUDY_{lang.upper()}")
        if given:
            study = Study.load(Path(given))
            if study.spec.study.language != lang:
                raise PluginError(f"CLUSTERDX_DOCS_STUDY_{lang.upper()}={given} is not in {lang}")
        else:
            base = BUILD.relative_to(REPO) / lang
            study = Study.load(
                REPO / "analysis" / "study.toml",
                overrides=[
                    f'study.language="{lang}"',
                    f'paths.clean="{(base / "data_clean").as_posix()}"',
                    f'paths.reports="{(base / "reports").as_posix()}"',
                ],
            )
            run(study, verbose=0)
        _BUILT[lang] = (study.reports_dir, study.clean_dir)
        TIMINGS[f"pipeline {lang}"] = time.perf_counter() - start
    return _BUILT[lang]


def _reports(lang: str) -> Path:
    """The reports folder of the default study in ``lang`` (`_build`)."""
    return _build(lang)[0]


def _study_blocks(arg: str) -> str:
    """Blocks of analysis/study.toml: a header (``indicators.dt``) or an entry (``name=fe_twoways``)."""
    text = (REPO / "analysis" / "study.toml").read_text(encoding="utf-8")
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("[") or line.startswith("# ----"):
            blocks.append([])
        blocks[-1].append(line)
    if "=" in arg:
        key, value = (s.strip() for s in arg.split("=", 1))
        wanted = f'{key} = "{value}"'
        chosen = []
        for i, block in enumerate(blocks):
            if any(line.split("#")[0].strip() == wanted for line in block):
                chosen.append(block)
                # sub-tables of the entry ([[analyses.historical]], [[robustness.variants]])
                head = block[0].strip("[]")
                for follow in blocks[i + 1 :]:
                    if follow and follow[0].strip("[]").startswith(head + "."):
                        chosen.append(follow)
                    else:
                        break
    else:
        heads = [b[0].strip("[]") if b else "" for b in blocks]
        chosen = [
            b for b, h in zip(blocks, heads, strict=True) if h == arg or h.startswith(arg + ".")
        ]
    if not chosen:
        raise PluginError(f"{{{{ study {arg} }}}}: no such table or entry in analysis/study.toml")
    body = "\n".join("\n".join(b).rstrip() for b in chosen)
    return f"```toml\n{body}\n```"


def _expand(markdown: str, lang: str, src: str) -> str:
    def replace(match: re.Match) -> str:
        what, arg = match["what"], (match["arg"] or "").strip()
        if what == "spec":
            return generate.spec_markdown(lang)
        if what == "validation":
            return generate.validation_markdown(lang)
        if what == "api":
            return generate.api_markdown(arg)
        if what == "study":
            return _study_blocks(arg)
        if what == "table":
            path = _reports(lang) / "tables" / f"{arg}.md"
            if not path.exists():
                raise PluginError(f"{src}: the pipeline wrote no table {path}")
            return path.read_text(encoding="utf-8").strip()
        if what == "figure":
            path = _reports(lang) / "figures" / f"{arg}.png"
            if not path.exists():
                raise PluginError(f"{src}: the pipeline wrote no figure {path}")
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f'<img alt="{arg}" src="data:image/png;base64,{data}" style="max-width:100%">'
        raise PluginError(f"{src}: unknown marker {match[0]!r}")

    return MARKER.sub(replace, markdown)


@contextlib.contextmanager
def _scratch(lang: str):
    """A scratch working folder laid out like the project after ``clusterdx run``: analysis/,
    data_raw/ and tests/ are the repository's, data_clean/ the docs build of the default study."""
    here = Path.cwd()
    clean = _build(lang)[1]
    with tempfile.TemporaryDirectory(prefix="clusterdx-docs-") as tmp:
        for name in ("analysis", "data_raw", "tests"):
            (Path(tmp) / name).symlink_to(REPO / name, target_is_directory=True)
        (Path(tmp) / "data_clean").symlink_to(clean, target_is_directory=True)
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(here)


def run_snippets(markdown: str, src: str, lang: str) -> str:
    """Run the page's Python blocks in order; insert what each prints below it."""
    blocks = list(FENCE.finditer(markdown))
    if not blocks:
        return markdown
    os.environ.setdefault("MPLBACKEND", "Agg")
    import pandas as pd

    pd.set_option("display.width", 100)
    pd.set_option("display.max_columns", 12)
    namespace: dict = {"__name__": "__main__"}
    out, last = [], 0
    start = time.perf_counter()
    with _scratch(lang):
        for number, block in enumerate(blocks, 1):
            line = markdown[: block.start()].count("\n") + 1
            buffer = io.StringIO()
            try:
                code = compile(block["code"], f"{src}:{line}", "exec")
                with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
                    # library deprecation notices (pandas 3 in pyfixest) are not the docs' output
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", FutureWarning)
                    exec(code, namespace)
            except Exception:
                raise PluginError(
                    f"{src}: Python block {number} (line {line}) failed:\n{traceback.format_exc()}"
                ) from None
            shown = markdown[last : block.end()]
            printed = buffer.getvalue().rstrip()
            if RAW in block["info"]:
                out.append(shown.replace(f"```python{block['info']}", "```python", 1))
                out.append(f"\n\n{printed}\n")
            else:
                out.append(shown)
                if printed:
                    out.append(f'\n\n```text title="{OUTPUT_TITLE[lang]}"\n{printed}\n```')
            last = block.end()
    out.append(markdown[last:])
    TIMINGS[f"snippets {src}"] = time.perf_counter() - start
    return "".join(out)


def on_page_markdown(markdown, page, config, files):
    lang = _language(config)
    src = page.file.src_uri
    return run_snippets(_expand(markdown, lang, src), src, lang)


def on_post_build(config):
    if os.environ.get("CLUSTERDX_DOCS_TIMINGS"):
        for key, seconds in sorted(TIMINGS.items(), key=lambda kv: -kv[1]):
            print(f"{seconds:8.2f} s  {key}", file=sys.stderr)
