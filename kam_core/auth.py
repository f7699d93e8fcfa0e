"""Password hashing for the optional team-server login (PBKDF2-HMAC-SHA256).

    python -m kam_core.auth        asks for a password and prints the line to put in
                                   .streamlit/secrets.toml under [kam] as password_hash
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

ITERATIONS = 390_000


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "pbkdf2_sha256${}${}${}".format(iterations, base64.b64encode(salt).decode(), base64.b64encode(digest).decode())


def check_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored hash; False for anything malformed."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        expected = base64.b64decode(digest)
        given = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)


if __name__ == "__main__":
    import getpass

    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: ") or len(first) < 8:
        raise SystemExit("The passwords differ or are shorter than 8 characters.")
    print(f'password_hash = "{hash_password(first)}"')
