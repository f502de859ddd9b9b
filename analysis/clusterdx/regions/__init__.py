"""clusterdx.regions."""
