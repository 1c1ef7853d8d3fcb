"""Password hashing with argon2 (argon2-cffi); tests configure cheap parameters."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_hashers: dict[tuple[tuple[str, int], ...], PasswordHasher] = {}

# A valid hash of a random password, verified when the e-mail is unknown so that a miss
# takes as long as a hit and does not reveal which addresses have accounts.
_DUMMY = "dummy-password-for-timing"


def _hasher() -> PasswordHasher:
    params = current_app.config.get("ARGON2_PARAMETERS") or {}
    key = tuple(sorted(params.items()))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**params)
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if not password_hash:
        hasher.hash(_DUMMY)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
