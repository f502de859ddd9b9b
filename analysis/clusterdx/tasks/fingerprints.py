"""Fingerprints of the files a step reads besides its declared inputs: the ``[regions]`` table and
polygons, the ``type = "file"`` weights matrices and the files indicator recipes read directly.

They enter the steps' pytask inputs as hashed values (`clusterdx.tasks.pipeline`) and the build
stamp of an up-to-date check (`clusterdx.tasks.stamp`). Standard library only, so that neither
imports pandas or pytask.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from clusterdx.study import Study


def file_digest(path: Path) -> str:
    """SHA-256 of a file and of its shapefile siblings (same stem: .shx, .dbf, .prj), or 'missing'."""
    files = sorted(path.parent.glob(f"{path.stem}.*")) if path.suffix.lower() == ".shp" else [path]
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            digest.update(file.name.encode("utf-8") + file.read_bytes())
    return digest.hexdigest() if any(f.is_file() for f in files) else "missing"


def region_inputs(study: Study) -> dict:
    """``[regions]`` and fingerprints of its files, so a changed region table reruns the steps."""
    spec = study.spec.regions
    if spec is None:
        return {}
    files = [spec.file, *([spec.geometry] if spec.geometry else [])]
    return {
        "spec": spec.model_dump(mode="json"),
        "files": {f: file_digest(study.root / f) for f in files},
    }


def weights_files(study: Study) -> dict[str, str]:
    """Fingerprints of the ``type = "file"`` weights matrices."""
    return {
        name: file_digest(study.root / spec.file)
        for name, spec in study.spec.weights.items()
        if spec.type == "file"
    }


def indicator_files(study: Study) -> dict[str, str]:
    """Fingerprints of the files that indicator recipes read directly (firm files, text corpora,
    keyword dictionaries): name, size and modification time of every matching file, hashed.

    They can be globs or folders of thousands of documents, so they enter the indicators step as one
    hashed value rather than as pytask file nodes.
    """
    fingerprints = {}
    for name, recipe in study.spec.indicators.items():
        for key in ("file", "dictionary"):
            pattern = getattr(recipe, key, None)
            if not pattern:
                continue
            target = study.root / pattern
            if target.is_dir():
                files = sorted(p for p in target.rglob("*") if p.is_file())
            else:
                files = sorted(target.parent.glob(target.name))
            digest = hashlib.sha256()
            for path in files:
                info = path.stat()
                digest.update(f"{path.as_posix()}|{info.st_size}|{info.st_mtime_ns}".encode())
            fingerprints[f"{name}.{key}"] = digest.hexdigest()
    return fingerprints
