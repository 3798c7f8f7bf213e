"""Pure readers of the standard facets that projection needs (schema, symlinks, parent, columnLineage ...).

Each takes the facets dict of a parsed event (already validated, so a standard facet present here has the
right shape) and returns plain values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

Facets = Mapping[str, Any]


@dataclass(frozen=True)
class SchemaField:
    name: str
    type: str | None = None
    description: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class Derivation:
    """One column-lineage dependency: ``source`` field feeds ``target`` field."""

    source_namespace: str
    source_dataset: str
    source_field: str
    target_field: str
    type: str
    subtype: str | None
    description: str | None
    subtypes: tuple[str, ...]


def schema_fields(facets: Facets) -> list[SchemaField] | None:
    """The columns of a ``schema`` facet, nested fields flattened as ``parent.child``; None without one."""
    schema = facets.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
        return None
    return list(_flatten_fields(schema["fields"], prefix=""))


def _flatten_fields(items: list[Any], prefix: str) -> Iterator[SchemaField]:
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        name = prefix + item["name"]
        yield SchemaField(name=name, type=item.get("type"), description=item.get("description"))
        if isinstance(item.get("fields"), list):
            yield from _flatten_fields(item["fields"], prefix=name + ".")


def schema_version(fields: list[SchemaField]) -> str:
    """A dataset version id: the same schema always gives the same id, so versions are minted only when
    the schema changes."""
    canonical = json.dumps([[f.name, f.type] for f in fields], separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def symlinks(facets: Facets) -> list[tuple[str, str]]:
    """The ``(namespace, name)`` aliases a ``symlinks`` facet declares."""
    facet = facets.get("symlinks")
    if not isinstance(facet, dict):
        return []
    found = []
    for ident in facet.get("identifiers") or []:
        if isinstance(ident, dict) and ident.get("namespace") and ident.get("name"):
            found.append((str(ident["namespace"]), str(ident["name"])))
    return found


@dataclass(frozen=True)
class ParentRef:
    run_id: str | None
    job_namespace: str
    job_name: str


def parent(facets: Facets) -> ParentRef | None:
    facet = facets.get("parent")
    if not isinstance(facet, dict):
        return None
    job = facet.get("job") or {}
    run = facet.get("run") or {}
    if not job.get("namespace") or not job.get("name"):
        return None
    return ParentRef(run_id=run.get("runId"), job_namespace=job["namespace"], job_name=job["name"])


_PRIORITY = {"DIRECT": 0, "INDIRECT": 1}


def _transformations(entry: Mapping[str, Any], legacy_type: str | None,
                     legacy_description: str | None) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    """The primary transformation (DIRECT before INDIRECT) and every ``TYPE/SUBTYPE`` of one input."""
    items = [t for t in entry.get("transformations") or [] if isinstance(t, dict) and t.get("type")]
    if not items:
        # facet 1-0-x: one transformationType for the whole output field (IDENTITY / TRANSFORMATION).
        subtype = legacy_type if legacy_type in {"IDENTITY", "TRANSFORMATION", "AGGREGATION"} else None
        return "DIRECT", subtype or legacy_type, legacy_description, ()
    ordered = sorted(items, key=lambda t: _PRIORITY.get(t["type"], 2))
    primary = ordered[0]
    subtypes = tuple(sorted({f"{t['type']}/{t.get('subtype') or ''}".rstrip("/") for t in items}))
    return primary["type"], primary.get("subtype"), primary.get("description") or None, subtypes


def _lineage_inputs(facets: Facets) -> Iterator[tuple[str, dict[str, Any], str | None, str | None]]:
    """Per output field of a ``columnLineage`` facet, each input that names a namespace, dataset and field:
    (target field, input, the 1-0-x transformation type and description). Dataset-level inputs (the
    ``dataset`` list: fields that filter or join the whole output) feed every output field the facet names."""
    facet = facets.get("columnLineage")
    if not isinstance(facet, dict):
        return
    targets = facet.get("fields") or {}
    pairs = [(target, entry, spec.get("transformationType"), spec.get("transformationDescription"))
             for target, spec in targets.items() if isinstance(spec, dict) for entry in spec.get("inputFields") or []]
    pairs += [(target, entry, None, None) for entry in facet.get("dataset") or [] for target in targets]
    for target, entry, legacy_type, legacy_description in pairs:
        if isinstance(entry, dict) and all(entry.get(k) for k in ("namespace", "name", "field")):
            yield target, entry, legacy_type, legacy_description


def column_lineage(facets: Facets) -> list[Derivation]:
    """Field-to-field dependencies of a ``columnLineage`` facet (see :func:`_lineage_inputs`)."""
    out: list[Derivation] = []
    for target, entry, legacy_type, legacy_description in _lineage_inputs(facets):
        kind, subtype, description, subtypes = _transformations(entry, legacy_type, legacy_description)
        out.append(Derivation(source_namespace=entry["namespace"], source_dataset=entry["name"],
                              source_field=entry["field"], target_field=target, type=kind, subtype=subtype,
                              description=description, subtypes=subtypes))
    return out


def column_lineage_sources(facets: Facets) -> set[tuple[str, str]]:
    """The ``(namespace, name)`` of every dataset a ``columnLineage`` facet reads from: what
    :func:`column_lineage` would name, without building a derivation per field."""
    return {(entry["namespace"], entry["name"]) for _, entry, _, _ in _lineage_inputs(facets)}


def job_type(facets: Facets) -> dict[str, str]:
    facet = facets.get("jobType")
    if not isinstance(facet, dict):
        return {}
    return {k: str(facet[k]) for k in ("processingType", "integration", "jobType") if facet.get(k)}


def sql_query(facets: Facets) -> str | None:
    facet = facets.get("sql")
    return facet.get("query") if isinstance(facet, dict) else None
