"""A quick yes/no check of a value against a JSON Schema, for the common case of a valid standard facet.

jsonschema gives exact verdicts and precise messages, but walking a facet of a few dozen fields costs it about a
millisecond (it builds a validator object per keyword it descends into), and ingest checks every standard facet
of every event: most of a request's validation time. :func:`compile_check` turns a schema, once, into nested
closures that only answer "valid?". :mod:`.facets` asks them first and gives everything they do not call valid
to jsonschema, for the verdict and its messages. So a check must never call valid what jsonschema would not;
calling a valid facet invalid only costs the slow path. To keep that promise it knows exactly the keywords the
shipped facet schemas use, with Draft 2020-12's meaning, and refuses (:class:`Unsupported`) to compile a schema
that uses any other keyword jsonschema asserts: such a facet is always validated by jsonschema.
``tests/receiver/openlineage/test_quick_schema.py`` holds it to jsonschema's verdict on every shipped schema.

``lenient`` names required properties whose absence is not an error where jsonschema would report it on its
own (through ``properties``, ``items``, ``allOf`` and ``$ref``): :mod:`.facets` ignores such errors for the base
facet fields. Inside ``anyOf``, ``oneOf`` and ``not`` they stay required, since jsonschema reports a failing
branch as one error of the combinator, which is not ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator

if TYPE_CHECKING:  # what Registry.resolver() returns; referencing exports it from no public module
    from referencing._core import Resolver

Check = Callable[[Any], bool]

# The keywords jsonschema asserts; it ignores every other (``description``, ``$defs``, a schema's own
# ``documentation`` ...), and ``format`` too unless the validator is given a format checker, which facets.py
# does not do.
_ASSERTING = frozenset(Draft202012Validator.VALIDATORS) - {"format"}


class Unsupported(ValueError):
    """The schema uses a keyword (or a form of one) the quick check does not implement."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integer(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float)
                                                                         and value.is_integer())


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": _is_integer,
}


def json_equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema's ``enum`` and ``const`` mean it: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(json_equal(one[k], two[k]) for k in one)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, (dict, list)) or isinstance(two, (dict, list)):
        return False
    return bool(one == two)


def compile_check(schema: Any, resolver: Resolver[Any], *, lenient: Iterable[str] = ()) -> Check:
    """A check of values against ``schema`` (``$ref`` resolved through ``resolver``). Raises Unsupported."""
    return _Compiler(frozenset(lenient)).compile(schema, resolver, lenient=True)


class _Compiler:
    def __init__(self, lenient: frozenset[str]) -> None:
        self.lenient_names = lenient
        self._compiled: dict[tuple[int, bool], Check] = {}  # by schema identity: shared and recursive $refs

    def compile(self, schema: Any, resolver: Resolver[Any], *, lenient: bool) -> Check:
        if schema is True:
            return lambda _v: True
        if schema is False:
            return lambda _v: False
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema must be an object or a boolean, not {type(schema).__name__}")
        key = (id(schema), lenient)
        found = self._compiled.get(key)
        if found is not None:
            return found
        late: list[Check] = []  # a $ref back to this schema, met while compiling it, calls it through here
        self._compiled[key] = lambda v: late[0](v)
        checks = [self._keyword(name, value, schema, resolver, lenient)
                  for name, value in schema.items() if name in _ASSERTING]
        check = _all([c for c in checks if c is not None])
        late.append(check)
        self._compiled[key] = check
        return check

    def _keyword(self, name: str, value: Any, schema: dict[str, Any], resolver: Resolver[Any],
                 lenient: bool) -> Check | None:
        sub = self.compile
        if name == "type":
            kinds = [value] if isinstance(value, str) else value
            if not isinstance(kinds, list) or any(k not in _TYPES for k in kinds):
                raise Unsupported(f"type {value!r}")
            tests = [_TYPES[k] for k in kinds]
            return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))
        if name == "properties":
            props = [(prop, sub(s, resolver, lenient=lenient)) for prop, s in value.items()]
            return lambda v: not isinstance(v, dict) or all(p not in v or c(v[p]) for p, c in props)
        if name == "required":
            names = [n for n in value if not (lenient and n in self.lenient_names)]
            return lambda v: not isinstance(v, dict) or all(n in v for n in names)
        if name == "additionalProperties":
            if "patternProperties" in schema:
                raise Unsupported("additionalProperties beside patternProperties")
            declared = frozenset(schema.get("properties", {}))
            extra = sub(value, resolver, lenient=lenient)
            return lambda v: not isinstance(v, dict) or all(extra(x) for k, x in v.items() if k not in declared)
        if name == "items":
            if "prefixItems" in schema:
                raise Unsupported("items beside prefixItems")
            each = sub(value, resolver, lenient=lenient)
            return lambda v: not isinstance(v, list) or all(each(x) for x in v)
        if name == "allOf":
            return _all([sub(s, resolver, lenient=lenient) for s in value])
        if name == "anyOf":
            branches = [sub(s, resolver, lenient=False) for s in value]
            return lambda v: any(b(v) for b in branches)
        if name == "oneOf":
            branches = [sub(s, resolver, lenient=False) for s in value]
            return lambda v: sum(1 for b in branches if b(v)) == 1
        if name == "not":
            negated = sub(value, resolver, lenient=False)
            return lambda v: not negated(v)
        if name == "enum":
            options = list(value)
            return lambda v: any(json_equal(v, o) for o in options)
        if name == "const":
            return lambda v: json_equal(v, value)
        if name == "dependentRequired":
            rules = [(prop, list(needs)) for prop, needs in value.items()]
            return lambda v: not isinstance(v, dict) or all(p not in v or all(n in v for n in needs)
                                                            for p, needs in rules)
        if name == "minimum":
            if not _is_number(value):
                raise Unsupported(f"minimum {value!r}")
            return lambda v: not _is_number(v) or v >= value
        if name == "$ref":
            resolved = resolver.lookup(value)
            return sub(resolved.contents, resolved.resolver, lenient=lenient)
        raise Unsupported(f"keyword {name!r}")


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda _v: True
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)
