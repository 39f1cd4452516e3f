import hashlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url

# Settings that were, and what took their place.
RETIRED = {
    name: "REDIS_NAMESPACE names the rate-limit keys and the export queue (unset, one is derived from the"
    " database's address; docs/operations.md)"
    for name in ("RATE_LIMIT_KEY_PREFIX", "EXPORT_QUEUE_NAME")
}


class Settings(BaseSettings):
    """Every setting comes from an environment variable of the same name, upper-cased."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./taskboard.db"
    database_echo: bool = False
    database_pool_size: int = Field(default=5, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # Connections older than this are replaced (servers and proxies drop idle ones).
    database_pool_recycle_seconds: float = Field(default=1800.0, gt=0)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    # PostgreSQL cancels a statement that runs longer (503 to the client); 0 turns it off.
    database_statement_timeout_seconds: float = Field(default=30.0, ge=0)
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)
    # How often the write-ahead log is copied back into the database file (service/kit/checkpoints.py).
    sqlite_checkpoint_seconds: float = Field(default=1.0, gt=0)
    token_ttl: timedelta = timedelta(hours=24)
    # How long a process takes a token it verified for good without asking the database again: a
    # token revoked in another process works there for at most this long more (0: ask every time).
    token_cache_seconds: float = Field(default=2.0, ge=0, le=60)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    # A request's head (request line and header fields) must arrive within this long (408), and
    # weigh at most this much (431): service/kit/protocol.py.
    request_head_timeout_seconds: float = Field(default=10.0, gt=0)
    max_request_head_bytes: int = Field(default=64 * 1024, ge=1024)
    # A request body that takes longer to arrive is refused with 408 (a slow client holds nothing).
    request_body_timeout_seconds: float = Field(default=30.0, gt=0)
    # A connection whose client takes none of the answer for this long is cut (a stalled stream or
    # download holds nothing longer): service/kit/protocol.py.
    send_timeout_seconds: float = Field(default=10.0, gt=0)
    # Requests per RATE_LIMIT_PERIOD: per user when signed in, per client address otherwise.
    rate_limit_period: timedelta = timedelta(minutes=1)
    rate_limit_per_user: int = Field(default=600, ge=1)
    rate_limit_per_address: int = Field(default=30, ge=1)
    # Sign-ups per client address in SIGN_UP_PERIOD, whether they make an account or find the email
    # taken (409, which tells that it has one): what bounds finding out who has an account.
    sign_up_per_address: int = Field(default=20, ge=1)
    sign_up_period: timedelta = timedelta(hours=1)
    # Where they are counted: this process's memory, or a Redis that every process shares
    # (async+redis://host:6379/0).
    rate_limit_storage: str = "async+memory://"
    # While that Redis does not answer: count in each process's memory, or refuse (503).
    rate_limit_fallback: Literal["memory", "refuse"] = "memory"
    # Failed sign-ins for one email from one client address (and wrong current passwords from one
    # token): free ones, then 1 s, 2 s, 4 s… between attempts, then a lockout of that address.
    sign_in_free_failures: int = Field(default=5, ge=1)
    sign_in_lockout_failures: int = Field(default=10, ge=2)
    sign_in_lockout: timedelta = timedelta(minutes=15)
    # Failed sign-ins for one email from anywhere: this many lock the email, but for the addresses
    # that signed in to it within SIGN_IN_TRUST.
    sign_in_email_lockout_failures: int = Field(default=100, ge=2)
    sign_in_trust: timedelta = timedelta(days=30)
    # Argon2id's cost for new password hashes (RFC 9106's second recommended option: 3 passes over
    # 64 MiB in 4 lanes); a stored hash keeps the cost it was made with, and still verifies.
    password_hash_time_cost: int = Field(default=3, ge=1)
    password_hash_memory_kib: int = Field(default=65536, ge=32)
    password_hash_parallelism: int = Field(default=4, ge=1, le=4)
    # Argon2 computations at once in a process (each holds a core and 64 MiB for ~0.15 s); the
    # requests (sign-in, sign-up, password change) that may wait for one, and how long, before a 503.
    password_hashing_concurrency: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) // 2), ge=1)
    password_hashing_backlog: int = Field(default=8, ge=0)
    password_hashing_wait_seconds: float = Field(default=2.0, gt=0)
    # Frontend origins allowed to call the API from a browser (CORS), comma-separated.
    cors_origins: Annotated[list[str], NoDecode] = []
    # Request headers a browser may send beyond those of the contract, comma-separated: tracing's
    # and request ids' by default.
    # Logs: JSON lines, or lines for people (`console`); the level of the service's own loggers; and
    # whether each request gets its line (method, route, operation, status, duration, ids).
    # Prometheus metrics on a port of their own (service/kit/metrics.py); off unless a port is given.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    access_log: bool = True
    cors_allow_headers: Annotated[list[str], NoDecode] = ["traceparent", "tracestate", "baggage", "X-Request-ID"]
    readiness_timeout_seconds: float = Field(default=2.0, gt=0)
    # On SIGTERM, /readyz answers 503 while the process serves this long more, then it closes.
    drain_seconds: float = Field(default=5.0, ge=0)
    # PostgreSQL: how long a migration waits for a table's lock before its run is tried again.
    migration_lock_timeout_seconds: float = Field(default=2.0, gt=0)
    idempotency_ttl: timedelta = timedelta(hours=24)
    # Where export files are written (created when missing).
    export_dir: Path = Path("exports")
    export_workers: int = Field(default=1, ge=1)
    # How often the service looks for exports that no worker holds (EXPORT_QUEUE=inprocess): left
    # by a crash, or queued again by an operator.
    export_sweep_seconds: float = Field(default=30.0, gt=0)
    # A finished export, and its file, is deleted this long after it finished.
    export_retention: timedelta = timedelta(days=7)
    # Exports a user may have queued or running at once, and the bytes of finished export files they
    # may keep (each counted until it is deleted): one more export is 429.
    exports_in_flight_per_user: int = Field(default=3, ge=1)
    export_bytes_per_user: int = Field(default=100 * 1024 * 1024, ge=1)
    # `inprocess`: the service runs exports itself. `saq`: workers started with `make worker` do,
    # through Redis at REDIS_URL.
    export_queue: Literal["inprocess", "saq"] = "inprocess"
    # The back office (`make admin`, service/admin/): an operator's session lasts this long.
    admin_session: timedelta = timedelta(hours=8)
    # The host names the back office answers to (comma-separated; `*.example.com` for subdomains).
    admin_hosts: Annotated[list[str], NoDecode] = ["127.0.0.1", "localhost"]
    redis_url: str = "redis://127.0.0.1:6379/0"
    # What this deployment's rate-limit keys and export queue in a shared Redis are named by (see
    # `namespace`): unset, one derived from where the database is, so that deployments on
    # different databases keep apart and every process of one deployment agrees.
    redis_namespace: str | None = Field(default=None, min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.:-]+$")
    event_retention: timedelta = timedelta(hours=24)
    event_purge_interval: timedelta = timedelta(minutes=10)
    # On SQLite, how often each process looks in the log for events that other processes committed.
    event_poll_seconds: float = Field(default=0.1, gt=0)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # Streams end after this long; clients reconnect with Last-Event-ID (it bounds a stream's life).
    stream_max_seconds: float = Field(default=3600.0, gt=0)
    # How often each process checks whether the tokens of its open streams still work: a stream
    # ends at most this long after its token is revoked in another process (at once in its own).
    stream_token_check_seconds: float = Field(default=2.0, gt=0)
    # Open event streams per user and per token in each process; one more is 429.
    stream_limit_per_user: int = Field(default=12, ge=1)
    stream_limit_per_token: int = Field(default=6, ge=1)
    # Signs pagination cursors and the back office's sessions: comma-separated keys, the first signs
    # and every one verifies (a rotation: the new key first, the old after, until what it signed has
    # aged out). When unset, a random key is made once and kept in the database, so that every
    # process (and every restart) signs cursors alike; the back office then refuses other hosts.
    secret_key: Annotated[list[SecretStr], NoDecode] = []

    @property
    def namespace(self) -> str:
        """REDIS_NAMESPACE, else `taskboard-` and a digest of the database's address: its host, port and
        name, or a SQLite file's absolute path (not its user or password, which a rotation changes)."""
        if self.redis_namespace:
            return self.redis_namespace
        url = make_url(self.database_url)
        where = url.database or ""
        if url.get_backend_name() == "sqlite" and where not in ("", ":memory:") and "mode=memory" not in where:
            where = str(Path(where).resolve())
        place = f"{url.get_backend_name()}|{url.host or ''}|{url.port or ''}|{where}"
        return "taskboard-" + hashlib.sha256(place.encode()).hexdigest()[:12]

    @field_validator("database_url")
    @classmethod
    def _supported_driver(cls, url: str) -> str:
        if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("DATABASE_URL must use sqlite+aiosqlite:// or postgresql+asyncpg://")
        return url

    @field_validator("rate_limit_storage")
    @classmethod
    def _supported_storage(cls, url: str) -> str:
        if not url.startswith(("async+memory://", "async+redis://", "async+rediss://")):
            raise ValueError("RATE_LIMIT_STORAGE must be async+memory:// or async+redis(s)://host:port")
        return url

    @field_validator(
        "token_ttl", "rate_limit_period", "sign_up_period", "sign_in_lockout", "sign_in_trust", "export_retention"
    )
    @classmethod
    def _positive_duration(cls, duration: timedelta) -> timedelta:
        if duration <= timedelta(0):
            raise ValueError("durations must be positive")
        return duration

    @model_validator(mode="after")
    def _no_retired_names(self) -> "Settings":
        """A setting that is no longer read, named in the environment: said, not silently ignored."""
        if retired := sorted(RETIRED.keys() & os.environ.keys()):
            raise ValueError("; ".join(f"{name} is no longer read: {RETIRED[name]}" for name in retired))
        return self

    @model_validator(mode="after")
    def _lockout_after_free_failures(self) -> "Settings":
        if self.sign_in_lockout_failures <= self.sign_in_free_failures:
            raise ValueError("SIGN_IN_LOCKOUT_FAILURES must be more than SIGN_IN_FREE_FAILURES")
        if self.sign_in_email_lockout_failures < self.sign_in_lockout_failures:
            raise ValueError("SIGN_IN_EMAIL_LOCKOUT_FAILURES must be at least SIGN_IN_LOCKOUT_FAILURES")
        return self

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("secret_key", mode="before")
    @classmethod
    def _keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("secret_key")
    @classmethod
    def _long_keys(cls, keys: list[SecretStr]) -> list[SecretStr]:
        if any(len(key.get_secret_value()) < 16 for key in keys):
            raise ValueError("each key of SECRET_KEY needs at least 16 characters")
        return keys

    @field_validator("cors_allow_headers", "admin_hosts", mode="before")
    @classmethod
    def _header_names(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value
