"""Keys of decoded JSON values are exact: equal values give equal keys however their objects are shared, values
that JSON tells apart (1, 1.0, true) get different keys, and a key gives its value back."""

from __future__ import annotations

import json

from lineagelens.receiver.openlineage.value_keys import value_key, value_of


def test_equal_values_give_equal_keys_even_when_one_shares_its_objects() -> None:
    name = "column_" + "x" * 40
    shared = {"fields": [{"name": name}, {"name": name}], "n": [1.5, 1.5]}
    copied = json.loads(json.dumps(shared))  # the same value, every string its own object
    assert value_key(shared) == value_key(copied)


def test_values_python_finds_equal_but_json_does_not_get_different_keys() -> None:
    assert 1 == 1.0 == True  # Python's equality, which a cache keyed by the values themselves would use
    assert len({value_key({"v": 1}), value_key({"v": 1.0}), value_key({"v": True})}) == 3
    assert value_key({"a": 1, "b": 2}) != value_key({"b": 2, "a": 1})  # another key order: a miss, not an error


def test_a_key_gives_its_value_back() -> None:
    value = {"s": "é\ud800", "n": None, "l": [1, 2.5, False, {"deep": ["x"]}], "big": 10**30}
    back = value_of(value_key(value))
    assert back == value and isinstance(back["l"][1], float) and back["l"][2] is False
