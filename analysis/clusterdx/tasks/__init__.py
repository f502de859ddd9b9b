"""clusterdx.tasks."""
