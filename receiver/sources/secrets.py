"""Source secrets at rest: the values of a source type's secret fields are stored sealed with Fernet
(AES-128-CBC + HMAC-SHA256, from the ``cryptography`` package) inside the config JSON, as
``{"password": {"$enc": "<Fernet token>"}}``, and opened only in memory for a connection test.

The key is derived from the master key (``Keyring.derive("secrets")``); keys from previous master keys
still open what was sealed before a rotation (a ``MultiFernet``), and :meth:`SecretBox.reseal` moves a value
to the current key. Plain-text values written before secrets were sealed are read as they are and sealed
on the source's next write or by ``lineagelens secrets rotate``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

SEALED = "$enc"


class SecretsUnreadable(Exception):
    """A stored secret does not open with any known key (the master key changed without listing the old
    one as previous)."""


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SEALED), str)


class SecretBox:
    """Seals and opens secret values with the current key (first) and previous keys (read only)."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        self._fernet = MultiFernet([Fernet(base64.urlsafe_b64encode(k)) for k in keys])

    def seal(self, value: Any) -> Any:
        """A non-empty plain value sealed under the current key; anything else (empty, already sealed)
        unchanged."""
        if isinstance(value, str) and value:
            return {SEALED: self._fernet.encrypt(value.encode("utf-8")).decode("ascii")}
        return value

    def open(self, value: Any) -> Any:
        """The plain value of a sealed one; a plain value (legacy row, empty) as it is."""
        if not is_sealed(value):
            return value
        try:
            return self._fernet.decrypt(value[SEALED].encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise SecretsUnreadable("a stored secret does not open with the current or previous keys") from exc

    def reseal(self, value: Any) -> Any:
        """``value`` sealed under the current key: a sealed value is re-encrypted, a plain one sealed."""
        if is_sealed(value):
            try:
                return {SEALED: self._fernet.rotate(value[SEALED].encode("ascii")).decode("ascii")}
            except InvalidToken as exc:
                raise SecretsUnreadable("a stored secret does not open with the current or previous keys") \
                    from exc
        return self.seal(value)

    def seal_config(self, config: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
        names = set(names)
        return {k: self.seal(v) if k in names else v for k, v in config.items()}

    def open_config(self, config: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
        """``config`` with the secret fields ``names`` opened (in memory only: never store the result)."""
        names = set(names)
        return {k: self.open(v) if k in names else v for k, v in config.items()}

    def reseal_config(self, config: Mapping[str, Any], names: Iterable[str]) -> tuple[dict[str, Any], int]:
        """``config`` with every sealed value and every plain secret field sealed under the current key, and
        how many values that touched. Sealed values are found by shape, so configs of a source type whose
        plugin is not loaded are re-encrypted too."""
        names = set(names)
        out: dict[str, Any] = {}
        count = 0
        for key, value in config.items():
            if is_sealed(value) or (key in names and isinstance(value, str) and value):
                out[key] = self.reseal(value)
                count += 1
            else:
                out[key] = value
        return out, count
