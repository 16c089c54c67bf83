"""Alembic environment of the saved-records store: runs on the connection the caller passes."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")

if connection is None:  # pragma: no cover - migrations always run through karavan.storage.upgrade
    raise RuntimeError("run karavan's migrations with karavan.storage.upgrade() or `karavan db upgrade`")

context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
