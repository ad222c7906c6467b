"""Alembic environment and revisions; run them with `kam migrate`."""
