"""Alerts: notification channels, rules, their evaluation, impact-aware incidents, delivery and SLA tracking.

- :mod:`.rules` — rule types, their parameters and scopes, CRUD, and the index that finds the rules of a node.
- :mod:`.channels` — configured notification channels (secrets sealed at rest) and their test send.
- :mod:`.facts` — what the evaluators read from the state store (durations, row counts, schema diffs ...).
- :mod:`.evaluate` — event-driven rules, run off the projection path by a thread reading the event log.
- :mod:`.scheduler` — time-driven rules (deadline, freshness, source health), one leader across receivers.
- :mod:`.incidents` — incidents with their downstream impact and owners, attach / ack / resolve.
- :mod:`.delivery` — the durable notification queue: retries with backoff, dedup, per-channel rate limits.
- :mod:`.preview` — "would have fired N times in the last 7 days".
- :mod:`.sla` — on-time percentages from deadline and freshness evaluations.
"""
