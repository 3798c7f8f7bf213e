#!/usr/bin/env python3
"""Convert the openAPIV3Schema of CustomResourceDefinitions into JSON schemas kubeconform can validate against.

Usage: crd_jsonschema.py CRD.yaml [CRD.yaml ...] --out DIR

For every version of every CustomResourceDefinition in the files, writes ``DIR/{kind}-{group}-{version}.json`` (the
kind lower-cased, the full group), the layout of kubeconform's
``-schema-location 'DIR/{{ .ResourceKind }}-{{ .Group }}-{{ .ResourceAPIVersion }}.json'``, and prints each path.

The result is draft 4 JSON Schema (kubeconform's default draft; OpenAPI 3.0's boolean ``exclusiveMinimum`` is draft
4's) and is as strict as the API server with strict field validation: every object that declares ``properties``
rejects other fields unless ``x-kubernetes-preserve-unknown-fields`` says otherwise, ``apiVersion`` and ``kind`` must
name this resource, ``nullable`` admits null, ``x-kubernetes-int-or-string`` admits an integer or a string, and
``x-kubernetes-list-type: set`` lists must hold unique items. Not checked (the API server checks them, kubeconform
cannot): CEL rules (``x-kubernetes-validations``) and uniqueness of ``x-kubernetes-list-type: map`` keys. A schema
keyword this converter does not know fails the conversion rather than being dropped silently.

Needs PyYAML.
"""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import sys
from typing import Any

import yaml

log = logging.getLogger(__name__)

Schema = dict[str, Any]

# Validation keywords OpenAPI 3.0 shares with JSON Schema draft 4, copied as they are.
_COPIED = frozenset({
    "type", "enum", "format", "pattern", "required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
})
# Documentation, defaulting and server-side merge hints: no bearing on whether a manifest is valid here.
_DROPPED = frozenset({
    "description", "title", "default", "example", "externalDocs", "x-kubernetes-map-type",
    "x-kubernetes-list-map-keys", "x-kubernetes-validations",
})
# Handled below.
_HANDLED = frozenset({
    "properties", "additionalProperties", "items", "allOf", "anyOf", "oneOf", "not", "nullable",
    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource",
    "x-kubernetes-list-type",
})

# The fields of ObjectMeta a manifest sets; the rest of ObjectMeta is left open (the CRD says only "object").
_OBJECT_META: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "generateName": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


class ConversionError(ValueError):
    """The CRD has a schema construct this converter does not translate."""


def convert(node: Schema, path: str = "", strict: bool = True) -> Schema:
    """Translate one OpenAPI v3 (structural) schema node into draft 4 JSON Schema.

    ``strict`` is false inside ``allOf``/``anyOf``/``oneOf``/``not``: those only add value checks to the fields their
    parent declares, so closing their objects would reject the parent's other fields.
    """
    if not isinstance(node, dict):
        raise ConversionError(f"{path or '/'}: a schema must be a mapping, not {type(node).__name__}")
    unknown = set(node) - _COPIED - _DROPPED - _HANDLED
    if unknown:
        raise ConversionError(f"{path or '/'}: unsupported schema keywords {sorted(unknown)}")

    out: Schema = {key: node[key] for key in node if key in _COPIED}
    if "properties" in node:
        out["properties"] = {
            name: convert(sub, f"{path}/{name}", strict) for name, sub in node["properties"].items()
        }
    if "additionalProperties" in node:
        extra = node["additionalProperties"]
        out["additionalProperties"] = extra if isinstance(extra, bool) else convert(extra, f"{path}/*", strict)
    if "items" in node:
        if not isinstance(node["items"], dict):
            raise ConversionError(f"{path}[]: tuple-typed items are not structural")
        out["items"] = convert(node["items"], f"{path}[]", strict)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in node:
            out[key] = [convert(sub, f"{path}({key})", strict=False) for sub in node[key]]
    if "not" in node:
        out["not"] = convert(node["not"], f"{path}(not)", strict=False)

    if node.get("x-kubernetes-int-or-string") and "anyOf" not in out:
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True
    if node.get("x-kubernetes-embedded-resource"):
        embedded = out.setdefault("properties", {})
        embedded.setdefault("apiVersion", {"type": "string"})
        embedded.setdefault("kind", {"type": "string"})
        embedded.setdefault("metadata", _OBJECT_META)
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
    if (
        strict
        and "properties" in out
        and "additionalProperties" not in out
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


def resource_schema(group: str, version: str, kind: str, openapi: Schema) -> Schema:
    """The JSON schema of one served version of a custom resource, from its CRD's openAPIV3Schema."""
    schema = convert(openapi, f"{kind}.{version}")
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
    props["kind"] = {"type": "string", "enum": [kind]}
    props["metadata"] = _OBJECT_META
    schema["required"] = sorted({"apiVersion", "kind", *schema.get("required", [])})
    schema.setdefault("additionalProperties", False)
    return schema


def schemas_from_documents(documents: list[Any]) -> dict[str, Schema]:
    """File name -> JSON schema for every version of every CustomResourceDefinition in the YAML documents."""
    crds: list[Schema] = []
    for doc in documents:
        if not isinstance(doc, dict):
            continue
        if doc.get("kind") == "CustomResourceDefinition":
            crds.append(doc)
        elif doc.get("kind", "").endswith("List"):
            crds.extend(item for item in doc.get("items", []) if item.get("kind") == "CustomResourceDefinition")
    out: dict[str, Schema] = {}
    for crd in crds:
        spec = crd["spec"]
        group, kind = spec["group"], spec["names"]["kind"]
        for version in spec["versions"]:
            openapi = version.get("schema", {}).get("openAPIV3Schema")
            if openapi is None:
                raise ConversionError(f"{kind} {group}/{version['name']} has no openAPIV3Schema")
            name = f"{kind.lower()}-{group}-{version['name']}.json"
            out[name] = resource_schema(group, version["name"], kind, openapi)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("crds", nargs="+", type=pathlib.Path, help="YAML files holding CustomResourceDefinitions")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="folder for the JSON schemas")
    args = parser.parse_args(argv)

    documents: list[Any] = []
    for path in args.crds:
        with path.open(encoding="utf-8") as f:
            documents.extend(yaml.safe_load_all(f))
    try:
        schemas = schemas_from_documents(documents)
    except ConversionError as exc:
        print(f"crd_jsonschema: {exc}", file=sys.stderr)
        return 1
    if not schemas:
        print(f"crd_jsonschema: no CustomResourceDefinition in {', '.join(map(str, args.crds))}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in sorted(schemas.items()):
        target = args.out / name
        target.write_text(json.dumps(schema, sort_keys=True) + "\n", encoding="utf-8")
        print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
