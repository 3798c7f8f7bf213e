"""Users, roles, sessions, API keys, the per-request access check and the audit log.

Who is asking is resolved by :class:`lineagelens.receiver.auth.guard.Authenticator` (API key bearer, then the
session cookie; more resolvers can be added); what they may do is decided by one ``before_request`` check
driven by the table in :mod:`lineagelens.receiver.auth.policy`.
"""
