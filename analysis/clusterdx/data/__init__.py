"""clusterdx.data."""
