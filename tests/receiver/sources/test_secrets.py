"""Secrets at rest: sealing with Fernet, reading legacy plain text, previous keys, re-encryption."""

from __future__ import annotations

import pytest

from lineagelens.receiver.keyring import Keyring
from lineagelens.receiver.sources.secrets import SEALED, SecretBox, SecretsUnreadable, is_sealed

OLD = Keyring(b"old-master-key").derive("secrets")
NEW = Keyring(b"new-master-key").derive("secrets")


def test_a_sealed_value_hides_the_secret_and_opens_back() -> None:
    box = SecretBox([NEW])
    sealed = box.seal("hunter2")
    assert is_sealed(sealed) and "hunter2" not in str(sealed)
    assert box.seal("hunter2") != sealed  # a fresh IV each time: equal secrets do not look equal
    assert box.open(sealed) == "hunter2"


def test_empty_and_legacy_plain_values_pass_through() -> None:
    box = SecretBox([NEW])
    assert box.seal("") == "" and box.open("") == ""
    assert box.open("written-before-encryption") == "written-before-encryption"
    assert box.open(None) is None


def test_a_value_sealed_with_another_key_is_unreadable() -> None:
    with pytest.raises(SecretsUnreadable):
        SecretBox([NEW]).open(SecretBox([OLD]).seal("hunter2"))
    with pytest.raises(SecretsUnreadable):
        SecretBox([NEW]).open({SEALED: "not-a-token"})


def test_previous_keys_open_old_values_and_reseal_moves_them_to_the_current_key() -> None:
    old_value = SecretBox([OLD]).seal("hunter2")
    rotating = SecretBox([NEW, OLD])
    assert rotating.open(old_value) == "hunter2"
    moved = rotating.reseal(old_value)
    assert SecretBox([NEW]).open(moved) == "hunter2"
    with pytest.raises(SecretsUnreadable):
        SecretBox([OLD]).open(moved)


def test_reseal_config_seals_plain_secret_fields_and_every_sealed_value() -> None:
    box = SecretBox([NEW, OLD])
    config = {"host": "db", "password": "plain", "token": SecretBox([OLD]).seal("t0k3n"), "user": "ann"}
    resealed, count = box.reseal_config(config, ["password"])
    assert count == 2 and resealed["host"] == "db" and resealed["user"] == "ann"
    assert SecretBox([NEW]).open_config(resealed, ["password", "token"]) == {**config, "password": "plain",
                                                                           "token": "t0k3n"}
    assert "plain" not in str(resealed) and "t0k3n" not in str(resealed)


def test_a_box_needs_a_key() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        SecretBox([])
