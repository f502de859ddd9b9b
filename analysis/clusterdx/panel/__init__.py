"""clusterdx.panel."""
