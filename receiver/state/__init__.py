"""The state store: the event log (source of truth) and the records projected from it, on SQLAlchemy."""
