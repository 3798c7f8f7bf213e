"""The receiver's master key and the keys derived from it (session tokens, secrets at rest).

The master key comes from ``LINEAGELENS_SECRET_KEY`` or, when that is empty, from a key file
(``LINEAGELENS_KEY_FILE``) that is created on first start with 32 random bytes and mode 0600. Each use gets
its own key, derived with HKDF-SHA256 and a purpose label, so a leaked session key reveals no stored secret.

Rotation keeps earlier master keys readable until everything is re-encrypted (``lineagelens secrets rotate``):

- with ``LINEAGELENS_SECRET_KEY``, the operator sets the new key and lists the old ones in
  ``LINEAGELENS_PREVIOUS_SECRET_KEYS``;
- with a key file, the new key is first written next to it as ``<file>.next`` (mode 0600), the secrets are
  re-encrypted in one transaction, and then ``<file>.next`` atomically replaces the file. A keyring loaded
  while ``<file>.next`` exists reads with both keys, so a crash at any step leaves every secret readable, and
  running the rotation again finishes it with the same new key.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

log = logging.getLogger(__name__)

KEY_BYTES = 32
PENDING_SUFFIX = ".next"


def new_master_key() -> str:
    """A fresh master key, as text (URL-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # not every platform opens directories
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_key_file(path: Path, key: str) -> None:
    """Write ``key`` to ``path`` with mode 0600 (the file is created with that mode, never widened),
    durably: the content is on disk before the file takes its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def pending_path(key_file: str | Path) -> Path:
    """Where a rotation keeps the new key until the secrets are re-encrypted under it."""
    path = Path(key_file)
    return path.with_name(path.name + PENDING_SUFFIX)


def _read_key(path: Path) -> bytes:
    return path.read_text(encoding="ascii").strip().encode("ascii")


def parse_previous(value: str) -> tuple[bytes, ...]:
    """``LINEAGELENS_PREVIOUS_SECRET_KEYS``: comma-separated earlier master keys."""
    return tuple(k.strip().encode("utf-8") for k in value.split(",") if k.strip())


@dataclass(frozen=True)
class Keyring:
    master: bytes
    previous: tuple[bytes, ...] = ()  # earlier master keys: read with them, never write

    @classmethod
    def load(cls, *, secret_key: str, key_file: str, previous_keys: str = "") -> Keyring:
        """The keyring from ``secret_key``, else from ``key_file`` (created 0600 when missing).
        ``previous_keys`` (comma-separated) and a pending ``<key_file>.next`` are kept for reading."""
        previous = parse_previous(previous_keys)
        if secret_key:
            return cls(secret_key.encode("utf-8"), previous)
        path = Path(key_file)
        if not path.exists():
            write_key_file(path, new_master_key())
            log.info("created a new master key file %s (mode 0600)", path)
        master = _read_key(path)
        pending = pending_path(path)
        if pending.exists():
            log.warning("%s exists: a key rotation did not finish; run `lineagelens secrets rotate` again", pending)
            previous = (_read_key(pending), *previous)
        return cls(master, tuple(k for k in dict.fromkeys(previous) if k != master))

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for ``purpose`` (for example ``"session-jwt"`` or ``"secrets"``)."""
        return _derive(self.master, purpose)

    def derive_all(self, purpose: str) -> list[bytes]:
        """The key for ``purpose`` from the current master key first, then from each previous one (to read
        what was written before a rotation)."""
        return [_derive(k, purpose) for k in (self.master, *self.previous)]


def _derive(master: bytes, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=b"lineagelens", info=purpose.encode())
    return hkdf.derive(master)


def begin_file_rotation(key_file: str | Path, *, also: tuple[bytes, ...] = ()) -> Keyring:
    """Step 1 of rotating a key file: the new key is written to ``<key_file>.next`` (0600) — or, when an
    earlier rotation stopped half-way, the key already there is reused. Returns the keyring to re-encrypt
    with: the new key current; the file's key and ``also`` (other keys still to read with) previous."""
    path = Path(key_file)
    current = _read_key(path)
    pending = pending_path(path)
    if pending.exists():
        log.info("finishing the rotation begun with %s", pending)
    else:
        write_key_file(pending, new_master_key())
    new = _read_key(pending)
    return Keyring(new, tuple(k for k in dict.fromkeys((current, *also)) if k != new))


def finish_file_rotation(key_file: str | Path) -> None:
    """Last step of rotating a key file, after the re-encryption committed: ``<key_file>.next`` becomes the
    key file (an atomic rename; the mode stays 0600)."""
    path = Path(key_file)
    os.replace(pending_path(path), path)
    _fsync_dir(path.parent)
