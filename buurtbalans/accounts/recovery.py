"""Recovery codes: made at random, kept only as a salted, peppered hash, checked in constant time (ASVS 2.6.2).

A code is 8 characters of base32 (40 random bits), as django-otp made them before, so codes printed earlier keep
working after migration 0004. What is stored per code is `hmac-sha256$<salt>$<digest>`: HMAC-SHA256 keyed with a
key derived from SECRET_KEY (the pepper) over a random 128-bit salt of that code and the code.

Why a fast keyed hash and not a slow password hash: 40 bits is too little for any stretching we can afford at
login to stop someone who computes hashes offline (PBKDF2-SHA256 at 10,000 rounds: one GPU tries all 2^40 codes
for one salt in about two weeks, ten GPUs in a day or two), while the key from SECRET_KEY makes a copy of the
database alone useless: without the key no code can be tested offline. SECRET_KEY lives outside the database
(environment or a 0600 file). Online, the codes sit behind the login throttle (about 30 tries an hour per
account), so guessing one of 10 codes of 2^40 is hopeless, and each code works once. Checking all 10 codes takes
microseconds. The salt (ASVS asks for at least 32 bits) makes equal codes hash differently and keeps precomputed
tables useless should the key leak too.

A SECRET_KEY that is rotated with the old one in SECRET_KEY_FALLBACKS keeps the codes working; without the old key
they stop working, and users make new ones after logging in with their app (or their administrator resets them).
"""

from __future__ import annotations

import hmac
import secrets
from base64 import b32encode

from django.conf import settings
from django.utils.crypto import salted_hmac

ALGORITHM = "hmac-sha256"
# Part of the HMAC key, so these hashes can never be confused with any other HMAC Django makes with SECRET_KEY.
KEY_SALT = "buurtbalans.accounts.recovery_code"


def code_new() -> str:
    """A new code: 8 lowercase base32 characters (40 random bits), the format django-otp's static tokens had."""
    return b32encode(secrets.token_bytes(5)).decode().lower()


def code_normalize(code: str) -> str:
    """What the user typed, without spaces and in lowercase (codes are shown in lowercase)."""
    return "".join(code.split()).lower()


def _digest(code: str, salt: str, secret: str) -> str:
    return salted_hmac(KEY_SALT, f"{salt}${code}", secret=secret, algorithm="sha256").hexdigest()


def code_hash(code: str) -> str:
    """The value stored for a code: `hmac-sha256$<salt>$<digest>`, with a new random salt each time."""
    salt = secrets.token_hex(16)
    return f"{ALGORITHM}${salt}${_digest(code_normalize(code), salt, settings.SECRET_KEY)}"


def code_matches(code: str, stored: str) -> bool:
    """Whether the code is the one stored, compared in constant time, with SECRET_KEY or one of its fallbacks."""
    algorithm, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if algorithm != ALGORITHM or not salt or not digest:
        return False
    code = code_normalize(code)
    matched = False
    # Every key is tried, also after a match, so the time taken does not tell which key the code was made with.
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        matched |= hmac.compare_digest(_digest(code, salt, secret), digest)
    return matched
