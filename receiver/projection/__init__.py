"""Projection: events from the log become state records and graph writes (pure, in :mod:`.build`),
applied by :mod:`.projector` in batches, with a catch-up worker for when the graph store is down."""
