"""The identity console (``/api/v1/identity/...``): likely duplicate datasets, external sources, and merge rules
(store, list with every rule's origin, undo). Viewers read; editors merge and undo. Applying and undoing run in
the background (receiver/identity/console.py); the rules list shows their state and progress."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from lineagelens.receiver import services
from lineagelens.receiver.api.args import PageArgs, load_args
from lineagelens.receiver.api.body import read_json
from lineagelens.receiver.api.openapi import documented
from lineagelens.receiver.auth.guard import require_principal
from lineagelens.receiver.errors import NotFound, validation_errors
from lineagelens.receiver.identity.candidates import REASONS
from lineagelens.receiver.identity.console import IdentityConsole, InvalidMerge, group_json, rule_json

log = logging.getLogger(__name__)

bp = Blueprint("identity", __name__, url_prefix="/api/v1/identity")

ORIGINS = ("console", "symlink", "plugin")


class CandidateArgs(PageArgs):
    reason = fields.List(fields.String(validate=validate.OneOf(REASONS)))


class MergeListArgs(PageArgs):
    origin = fields.List(fields.String(validate=validate.OneOf(ORIGINS)))


class DatasetName(Schema):
    class Meta:
        unknown = RAISE

    namespace = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    name = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MergeBody(Schema):
    class Meta:
        unknown = RAISE

    alias = fields.Nested(DatasetName, required=True)
    canonical = fields.Nested(DatasetName, required=True)


def _console() -> IdentityConsole:
    return services.get().identity


def _page(items: list[Any], args: dict[str, Any]) -> list[Any]:
    return items[args["offset"]:args["offset"] + args["limit"]]


@bp.get("/candidates")
@documented(query=CandidateArgs, responses={
    200: "{groups[{id, datasets[{namespace, name, nodeId}], reasons[{kind, detail}]}], totalCount}"})
def candidates() -> Response:
    """Likely duplicate datasets, grouped, each group with its reasons: ``scheme`` (s3/s3a/s3n, gs/gcs, a
    trailing slash), ``case``, ``nameTail`` (the same last name segment in different namespaces), ``schema``
    (the same set of column name and type in the latest schema versions). ``reason`` (repeatable) filters."""
    args = load_args(CandidateArgs())
    groups = _console().candidates(args.get("reason") or REASONS)
    return jsonify({"groups": [group_json(g) for g in _page(groups, args)], "totalCount": len(groups)})


@bp.get("/external")
@documented(query=PageArgs, responses={
    200: "{datasets[{namespace, name, nodeId, firstSeen, lastSeen, readers}], totalCount}"})
def external() -> Response:
    """External sources: datasets no job produces (no job ever wrote them, no manual edge from a job into
    them), with how many jobs read them."""
    args = load_args(PageArgs())
    found = _console().external()
    return jsonify({"datasets": _page(found, args), "totalCount": len(found)})


@bp.get("/merges")
@documented(query=MergeListArgs, responses={
    200: "{rules[{id, origin, alias, canonical, state, progress, error, createdBy?, createdAt?, plugin?, "
         "description?}], totalCount}"})
def list_merges() -> Response:
    """Every identity rule with its origin: ``console`` merges (with state and progress), aliases learned
    from ``symlinks`` facets, and the ``plugin`` naming rules (by plugin name). ``origin`` (repeatable) filters."""
    args = load_args(MergeListArgs())
    origins = set(args.get("origin") or ORIGINS)
    found = [r for r in _console().merges() if r["origin"] in origins]
    return jsonify({"rules": _page(found, args), "totalCount": len(found)})


@bp.post("/merges")
@documented(body="{alias{namespace, name}, canonical{namespace, name}}", responses={
    202: "the rule, state pending (applied in the background)",
    409: "the alias already has a rule in force, the two are already one dataset, or the rule would make a cycle",
    422: "invalid body, a dataset merged into itself, or an unknown dataset (errors name alias / canonical)"})
def create_merge() -> tuple[Response, int]:
    """Merge the alias dataset into the canonical one: the rule is stored, then the event log is re-projected
    in the background so the two names become one node (see GET /merges for the progress)."""
    raw = read_json(request)
    if not isinstance(raw, dict):
        raise InvalidMerge("the body must be a JSON object", [{"path": "$", "message": type(raw).__name__}])
    try:
        body: dict[str, Any] = MergeBody().load(raw)
    except ValidationError as exc:
        raise InvalidMerge("invalid merge rule", validation_errors(exc.normalized_messages(), root="")) from exc
    alias = (body["alias"]["namespace"], body["alias"]["name"])
    canonical = (body["canonical"]["namespace"], body["canonical"]["name"])
    g.audit_target = f"{alias[0]}:{alias[1]} -> {canonical[0]}:{canonical[1]}"
    rule = _console().merge(alias=alias, canonical=canonical, created_by=require_principal().name)
    return jsonify(rule_json(rule)), 202


@bp.get("/merges/<rule>")
def get_merge(rule: str) -> Response:
    """One console merge rule, with its state and progress."""
    found = _console().rules.get(rule)
    if found is None:
        raise NotFound(f"no merge rule {rule!r}")
    return jsonify(rule_json(found))


@bp.delete("/merges/<rule>")
@documented(responses={202: "the rule, state undoing (split again in the background)",
                       404: "no such console rule", 409: "already undone or being undone"})
def undo_merge(rule: str) -> tuple[Response, int]:
    """Undo a console merge: the rule stops applying and the event log is re-projected in the background, so
    the two names split again. The rule stays in the list as ``undone``."""
    return jsonify(rule_json(_console().undo(rule))), 202
