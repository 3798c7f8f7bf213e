"""Password hashing with argon2 (argon2-cffi's PasswordHasher and its recommended parameters)."""

from __future__ import annotations

import functools
import logging

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

log = logging.getLogger(__name__)

MIN_LENGTH = 12
MAX_LENGTH = 1024

_hasher = PasswordHasher()


class WeakPassword(ValueError):
    pass


def check_policy(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"a password has at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash("lineagelens-no-such-user")


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``. With no stored hash (unknown user, or a user without a
    password) a dummy hash is verified all the same, so both answers take as long."""
    try:
        if stored is None:
            _hasher.verify(_dummy_hash(), password)
            return False
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
