"""Access tokens: minted at random, stored only as digests."""

import hashlib
import secrets

TOKEN_PREFIX = "tb_"


def new_token() -> str:
    """An opaque access token: 256 random bits, with a prefix that secret scanners can spot."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256 (the token itself has 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()
