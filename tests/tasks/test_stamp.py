"""The build stamp (`clusterdx.tasks.stamp`): ``clusterdx run`` stops early only when pytask would
skip every task and `run` would touch nothing; every change that reruns a step invalidates it."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from clusterdx.study import Study
from clusterdx.tasks import stamp
from clusterdx.tasks.lock import study_lock
from clusterdx.tasks.pipeline import run

from ..conftest import invoke, one_source_study_in


def _build(folder: Path) -> Study:
    study = one_source_study_in(folder)
    run(study, verbose=0)
    return study


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Study:
    """One build for the module: each test undoes its change (bytes and modification time), and the
    stamp must then match again."""
    return _build(tmp_path_factory.mktemp("stamp"))


@contextmanager
def restored(path: Path):
    """Put ``path`` back as it was (content and times, or absent) after the block."""
    data = path.read_bytes() if path.exists() else None
    info = path.stat() if path.exists() else None
    try:
        yield path
    finally:
        if data is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(data)
            os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _outcomes(study: Study) -> set[str]:
    return {r.outcome.name for r in run(study, verbose=0).execution_reports}


def test_a_built_study_is_up_to_date_and_pytask_agrees(study):
    tasks = stamp.up_to_date(study)
    session = run(study, verbose=0)
    assert {r.outcome.name for r in session.execution_reports} == {"SKIP_UNCHANGED"}
    assert tasks == sorted(t.name.split("::")[-1] for t in session.tasks) and len(tasks) == 8
    assert stamp.up_to_date(study) == tasks  # the skipping run wrote it again


def test_an_edited_raw_file_with_its_time_restored_is_not_up_to_date(study):
    with restored(study.raw_dir / "gdp.csv") as raw:
        info = raw.stat()
        raw.write_text(
            raw.read_text(encoding="utf-8").replace("36102.6", "36102.7"), encoding="utf-8"
        )
        os.utime(raw, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert stamp.up_to_date(study) is None
    assert stamp.up_to_date(study) is not None


@pytest.mark.parametrize("change", ["touch", "edit", "delete"])
def test_a_changed_or_missing_output_is_not_up_to_date(study, change):
    with restored(study.clean_dir / "panel.parquet") as table:
        info = table.stat()
        if change == "touch":
            os.utime(table, ns=(info.st_atime_ns, info.st_mtime_ns + 10**9))
        elif change == "edit":
            data = bytearray(table.read_bytes())
            data[len(data) // 2] ^= 1
            table.write_bytes(bytes(data))
            os.utime(table, ns=(info.st_atime_ns, info.st_mtime_ns))
        else:
            table.unlink()
        assert stamp.up_to_date(study) is None
    assert stamp.up_to_date(study) is not None


def test_a_stray_file_in_an_output_folder_is_not_up_to_date(study):
    with restored(study.clean_dir / "sources" / "old_source.parquet") as stray:
        stray.write_bytes(b"left by a removed source")
        assert stamp.up_to_date(study) is None
    assert stamp.up_to_date(study) is not None


def test_a_spec_override_is_not_up_to_date(study):
    changed = Study.load(study.path, overrides=["study.name='\"other\"'"])
    assert stamp.up_to_date(changed) is None
    assert stamp.up_to_date(study) is not None


def test_changed_package_code_is_not_up_to_date(study, monkeypatch):
    original = stamp._package_digest
    monkeypatch.setattr(stamp, "_package_digest", lambda: original() + "changed")
    assert stamp.up_to_date(study) is None


def test_a_new_pytask_database_is_not_up_to_date(study):
    with restored(study.clean_dir / stamp.DATABASE_NAME) as database:
        database.unlink()
        assert stamp.up_to_date(study) is None
    assert stamp.up_to_date(study) is not None


def test_no_stamp_while_another_run_holds_the_lock(study):
    with study_lock(study):
        assert stamp.up_to_date(study) is None
    assert stamp.up_to_date(study) is not None


def test_an_edited_raw_file_reruns_and_a_failed_run_leaves_no_stamp(tmp_path):
    study = _build(tmp_path)
    raw = study.raw_dir / "gdp.csv"
    info = raw.stat()
    raw.write_text(raw.read_text(encoding="utf-8").replace("36102.6", "36102.7"), encoding="utf-8")
    os.utime(raw, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert "SUCCESS" in _outcomes(study)  # run's own content check re-reads it
    assert stamp.up_to_date(study) is not None
    raw.write_text("省份,年份\n北京,2020\n", encoding="utf-8")  # the GDP column is gone
    with pytest.raises(Exception, match="GDP"):
        run(study, verbose=0)
    assert not stamp.stamp_path(study).exists()
    assert stamp.up_to_date(study) is None


def test_validate_of_a_built_study_reports_the_same_as_a_full_check(study, monkeypatch):
    """An up-to-date build's audit stands for the checks; without the stamp everything is read."""

    def validate() -> str:
        result = invoke(["validate", "--study", str(study.path)])
        assert result.exit_code == 0, result.output
        return result.output

    assert stamp.up_to_date(study) is not None
    checked = []
    monkeypatch.setattr("clusterdx.cli._checked_audit", lambda spec: checked.append(spec))
    from_stamp = validate()
    assert checked == []
    monkeypatch.undo()
    with restored(stamp.stamp_path(study)) as path:
        path.unlink()
        assert validate() == from_stamp
    assert from_stamp.endswith("Valid: panel of 4 region-years.\n")
