"""clusterdx.spatial."""
