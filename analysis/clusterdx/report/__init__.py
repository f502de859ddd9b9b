"""clusterdx.report."""
