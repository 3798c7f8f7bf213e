"""Alembic migrations of the state database (``lineagelens db upgrade``)."""
