"""clusterdx.weights."""
