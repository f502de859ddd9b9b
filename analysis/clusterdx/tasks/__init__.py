"""The pipeline: pure steps (`steps`), their pytask wiring (`pipeline`) and the manifest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clusterdx.tasks.pipeline import collect_tasks, run

__all__ = ["collect_tasks", "run"]


def __getattr__(name: str) -> Any:
    # the pipeline imports every step; ``clusterdx validate`` needs only tasks.checks/steps
    if name in __all__:
        from clusterdx.tasks import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'clusterdx.tasks' has no attribute {name!r}")
