"""The master key: from the setting or a 0600 key file, derived keys, previous keys, and a crash-safe
key-file rotation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lineagelens.receiver import keyring
from lineagelens.receiver.keyring import Keyring


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_missing_key_file_is_created_0600_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "lineagelens.key"
    first = Keyring.load(secret_key="", key_file=str(path))
    assert _mode(path) == 0o600 and len(first.master) >= 43
    assert Keyring.load(secret_key="", key_file=str(path)) == first


def test_the_setting_wins_and_each_purpose_gets_its_own_key(tmp_path: Path) -> None:
    ring = Keyring.load(secret_key="s3cret", key_file=str(tmp_path / "unused.key"))
    assert ring.master == b"s3cret" and not (tmp_path / "unused.key").exists()
    assert ring.derive("secrets") != ring.derive("session-jwt") and len(ring.derive("secrets")) == 32


def test_previous_keys_are_read_after_the_current_one(tmp_path: Path) -> None:
    ring = Keyring.load(secret_key="new", key_file=str(tmp_path / "k"), previous_keys=" old1 , old2,,")
    assert ring.previous == (b"old1", b"old2")
    assert ring.derive_all("secrets") == [Keyring(k).derive("secrets") for k in (b"new", b"old1", b"old2")]


def test_key_file_rotation_writes_the_new_key_next_to_it_first(tmp_path: Path) -> None:
    path = tmp_path / "lineagelens.key"
    old = Keyring.load(secret_key="", key_file=str(path)).master
    rotating = keyring.begin_file_rotation(path)
    pending = keyring.pending_path(path)
    assert _mode(pending) == 0o600 and rotating.previous == (old,) and rotating.master != old
    # a process starting now (or after a crash here) reads with both keys, the file's key still current
    loaded = Keyring.load(secret_key="", key_file=str(path))
    assert loaded.master == old and loaded.previous == (rotating.master,)
    # running the rotation again reuses the pending key instead of making a third one
    assert keyring.begin_file_rotation(path) == rotating
    keyring.finish_file_rotation(path)
    assert not pending.exists() and _mode(path) == 0o600
    assert Keyring.load(secret_key="", key_file=str(path)) == Keyring(rotating.master)


def test_key_files_are_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        keyring.write_key_file(tmp_path / "k", keyring.new_master_key())
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "k") == 0o600
