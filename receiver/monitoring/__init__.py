"""Live monitoring: the change feed, the status reads, the per-process hub and stream loop, and the
source health checks (see docs/monitoring.md)."""
