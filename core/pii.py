"""Personal data at rest (个人信息保护法): encryption, blind indexes and masks, in one place.

- `seal(text)` / `unseal(token)`: AES-256-GCM (`cryptography`), a random 96-bit nonce per
  value, the key id in the token (`k1:` + base64 of nonce ‖ ciphertext ‖ tag), so keys can be
  rotated: PII_KEYS lists "id:key" pairs, the first seals, any of them unseals.
- `blind_index(kind, text)`: HMAC-SHA256 under its own key (PII_HASH_KEY), so an ID number is
  found, and a duplicate across villages caught, without decrypting anything; the kind is
  mixed in so an ID number and a phone never share an index value.
- Masks come from `lib.idcard` and are stored beside the ciphertext at write time, so a list
  of 1,000 people shows masks without decrypting 1,000 values.

Keys come from the environment (PII_KEYS / PII_HASH_KEY, or *_FILE). Without them (a
development machine, the tests, the demo) keys are derived from SECRET_KEY with HKDF under
their own labels; `check --deploy` warns (core.W001) so production sets its own.
"""

from __future__ import annotations

import base64
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks

__all__ = ["blind_index", "keys_are_derived", "seal", "unseal"]


def _derive(label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(
        settings.SECRET_KEY.encode()
    )


def _decode_key(text: str) -> bytes:
    key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    if len(key) != 32:
        raise ValueError("a PII key is 32 bytes, base64-encoded")
    return key


@lru_cache(maxsize=1)
def _keys() -> tuple[tuple[str, AESGCM], ...]:
    configured = getattr(settings, "PII_KEYS", "") or ""
    pairs = [p.split(":", 1) for p in configured.split(",") if p.strip()]
    if not pairs:
        return (("d1", AESGCM(_derive(b"baotuan pii seal v1"))),)
    return tuple((kid.strip(), AESGCM(_decode_key(key))) for kid, key in pairs)


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    configured = getattr(settings, "PII_HASH_KEY", "") or ""
    return _decode_key(configured) if configured else _derive(b"baotuan pii blind index v1")


def keys_are_derived() -> bool:
    return not (getattr(settings, "PII_KEYS", "") and getattr(settings, "PII_HASH_KEY", ""))


def seal(text: str) -> str:
    kid, aead = _keys()[0]
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, text.encode(), kid.encode())
    return f"{kid}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(token: str) -> str:
    kid, _colon, body = token.partition(":")
    for key_id, aead in _keys():
        if key_id == kid:
            raw = base64.b64decode(body)
            return aead.decrypt(raw[:12], raw[12:], kid.encode()).decode()
    raise KeyError(f"no key {kid!r} to unseal this value (PII_KEYS)")


def blind_index(kind: str, text: str) -> str:
    # hmac.digest: the one-shot C path (the same HMAC-SHA256 as hmac.new, a third the time).
    return hmac.digest(_hash_key(), f"{kind}\x00{text}".encode(), "sha256").hex()


def clear_key_cache() -> None:
    """For tests that change PII_KEYS."""
    _keys.cache_clear()
    _hash_key.cache_clear()


@checks.register(checks.Tags.security, deploy=True)
def _keys_are_set(app_configs, **kwargs):
    if keys_are_derived():
        return [
            checks.Warning(
                "Personal data is sealed with keys derived from SECRET_KEY.",
                hint="Set PII_KEYS (id:base64-32-bytes, the first seals) and PII_HASH_KEY, "
                "so rotating SECRET_KEY never makes personal data unreadable.",
                id="core.W001",
            )
        ]
    return []
