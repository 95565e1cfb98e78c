"""Generated validators; see scripts/gen_validators.py."""
