"""The pipeline: pure steps (`steps`), their pytask wiring (`pipeline`) and the manifest."""

from clusterdx.tasks.pipeline import collect_tasks, run

__all__ = ["collect_tasks", "run"]
