"""scripts/crd_jsonschema.py: a CRD's openAPIV3Schema becomes a draft 4 JSON schema (kubeconform's draft) that accepts
what the API server accepts and rejects unknown fields, wrong types and broken patterns. Checked with the jsonschema
package's draft 4 validator on a small CRD written here; scripts/chart-check.sh runs the real ServiceMonitor CRD
through kubeconform."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("crd_jsonschema", ROOT / "scripts" / "crd_jsonschema.py")
assert _spec and _spec.loader
crd_jsonschema = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(crd_jsonschema)

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: A widget.
          type: object
          properties:
            apiVersion: {type: string}
            kind: {type: string}
            metadata: {type: object}
            spec:
              type: object
              required: [port]
              properties:
                port:
                  anyOf: [{type: integer}, {type: string}]
                  x-kubernetes-int-or-string: true
                size:
                  type: integer
                  format: int32
                  minimum: 1
                interval:
                  type: string
                  pattern: ^[0-9]+s$
                mode:
                  type: string
                  enum: [fast, slow]
                  nullable: true
                tags:
                  type: array
                  items: {type: string}
                  x-kubernetes-list-type: set
                labels:
                  type: object
                  additionalProperties: {type: string}
                raw:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    known: {type: string}
                oneOfThem:
                  type: object
                  properties:
                    a: {type: string}
                    b: {type: string}
                  anyOf:
                    - required: [a]
                    - required: [b]
                  x-kubernetes-validations:
                    - rule: "has(self.a) || has(self.b)"
          required: [spec]
    - name: v2
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                port: {type: integer}
"""


def schemas() -> dict[str, dict[str, Any]]:
    return crd_jsonschema.schemas_from_documents(list(yaml.safe_load_all(CRD)))


def widget(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "n", "labels": {"app": "x"}},
        "spec": {"port": 8080, **spec},
    }


def errors(document: dict[str, Any], name: str = "widget-example.com-v1.json") -> list[str]:
    validator = jsonschema.Draft4Validator(schemas()[name])
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '/'}: {e.message}" for e in validator.iter_errors(document))


def test_every_version_is_written_under_kubeconforms_kind_group_version_name() -> None:
    assert sorted(schemas()) == ["widget-example.com-v1.json", "widget-example.com-v2.json"]
    for schema in schemas().values():
        jsonschema.Draft4Validator.check_schema(schema)


def test_a_valid_resource_passes() -> None:
    assert errors(widget(
        port="http", size=3, interval="30s", mode=None, tags=["a", "b"], labels={"k": "v"},
        raw={"known": "x", "anything": {"nested": [1]}}, oneOfThem={"b": "x"},
    )) == []


@pytest.mark.parametrize(("spec", "expected"), [
    ({"port": 1.5}, "spec/port"),
    ({"size": "3"}, "spec/size: '3' is not of type 'integer'"),
    ({"size": 0}, "spec/size: 0 is less than the minimum of 1"),
    ({"interval": "30 seconds"}, "spec/interval: '30 seconds' does not match"),
    ({"mode": "medium"}, "spec/mode: 'medium' is not one of"),
    ({"tags": ["a", "a"]}, "spec/tags: ['a', 'a'] has non-unique elements"),
    ({"labels": {"k": 1}}, "spec/labels/k: 1 is not of type 'string'"),
    ({"raw": {"known": 1}}, "spec/raw/known: 1 is not of type 'string'"),
    ({"oneOfThem": {}}, "spec/oneOfThem: {} is not valid under any of the given schemas"),
    ({"unknownField": True}, "spec: Additional properties are not allowed ('unknownField' was unexpected)"),
])
def test_a_wrong_field_is_rejected(spec: dict[str, Any], expected: str) -> None:
    found = errors(widget(**spec))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_a_missing_required_field_is_rejected() -> None:
    document = widget()
    del document["spec"]["port"]
    assert errors(document) == ["spec: 'port' is a required property"]


def test_apiversion_kind_and_metadata_are_checked_at_the_root() -> None:
    assert errors({**widget(), "apiVersion": "example.com/v2"}) == [
        "apiVersion: 'example.com/v2' is not one of ['example.com/v1']"]
    assert errors({**widget(), "kind": "Gadget"}) == ["kind: 'Gadget' is not one of ['Widget']"]
    assert errors({**widget(), "metadata": {"labels": {"n": 1}}}) == ["metadata/labels/n: 1 is not of type 'string'"]
    assert errors({**widget(), "extra": 1}) == ["/: Additional properties are not allowed ('extra' was unexpected)"]
    assert errors({"apiVersion": "example.com/v1", "kind": "Widget"}) == ["/: 'spec' is a required property"]


def test_objects_inside_anyof_stay_open_so_they_only_add_checks() -> None:
    schema = crd_jsonschema.convert({"type": "object", "properties": {"a": {"type": "string"}},
                                     "anyOf": [{"properties": {"a": {"minLength": 2}}}]})
    assert schema["additionalProperties"] is False
    assert "additionalProperties" not in schema["anyOf"][0]


def test_an_unknown_schema_keyword_fails_the_conversion_instead_of_being_dropped() -> None:
    with pytest.raises(crd_jsonschema.ConversionError, match=r"/spec: unsupported schema keywords \['if'\]"):
        crd_jsonschema.convert({"type": "object", "properties": {"spec": {"type": "object", "if": {}}}})


def test_the_command_writes_one_file_per_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text("---\n" + CRD + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
    assert crd_jsonschema.main([str(crd), "--out", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["widget-example.com-v1.json", "widget-example.com-v2.json"]
    assert json.loads((tmp_path / "out" / written[1]).read_text())["properties"]["kind"] == {
        "type": "string", "enum": ["Widget"]}
    assert capsys.readouterr().out.split() == [str(tmp_path / "out" / name) for name in written]


def test_a_file_without_crds_fails(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n")
    assert crd_jsonschema.main([str(other), "--out", str(tmp_path / "out")]) == 1
