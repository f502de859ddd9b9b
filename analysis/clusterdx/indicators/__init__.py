"""clusterdx.indicators."""
