"""Settings from `KAM_*` environment variables; the defaults run locally on SQLite."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from kam.documents import DEFAULT_BYTES as DOCUMENT_CACHE_BYTES


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KAM_", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./kam.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user:pw@host/db.",
    )
    host: str = Field("127.0.0.1", description="Address `kam serve` binds to.")
    port: int = Field(8000, description="Port `kam serve` listens on.")
    graphiql: bool = Field(True, description="Serve the GraphiQL IDE on GET /graphql.")
    echo_sql: bool = Field(False, description="Log every SQL statement.")
    default_page_size: int = Field(20, ge=1, description="Page size when a list gets neither `first` nor `last`.")
    max_page_size: int = Field(100, ge=1, description="Largest `first`/`last` a client may ask for.")
    growth_value_threshold: Decimal = Field(
        Decimal(1000000), description="Current annual value at or above which an account counts as high value."
    )
    growth_potential_threshold: Decimal = Field(
        Decimal(1000000), description="Growth potential at or above which an account counts as high potential."
    )
    default_currency: str = Field("EUR", min_length=3, max_length=3, description="Currency of money given without one.")
    jwt_issuer: str | None = Field(None, description="Issuer (`iss`) every accepted JWT must name; required with KAM_JWT_KEY.")
    jwt_audience: str | None = Field(None, description="Audience (`aud`) every accepted JWT must include; required with KAM_JWT_KEY.")
    jwt_key: SecretStr | None = Field(
        None,
        description="Key that verifies JWT signatures: a PEM public key (RS*/ES*/PS*) or an HMAC secret (HS*); unset: JWTs are refused.",
    )
    jwt_algorithms: str = Field("RS256", description="Comma-separated JWT signature algorithms accepted, e.g. `RS256,ES256`.")
    jwt_member_claim: str = Field("email", description="JWT claim holding the team member's email address.")
    jwt_leeway: int = Field(30, ge=0, description="Seconds of clock difference allowed when checking a JWT's `exp`, `nbf` and `iat`.")
    introspection: bool = Field(True, description="Answer introspection queries (`__schema`, `__type`).")
    max_query_depth: int = Field(15, ge=1, description="Deepest nesting of selections an operation may have.")
    max_aliases: int = Field(30, ge=1, description="Most aliased fields one document may contain.")
    max_tokens: int = Field(2000, ge=1, description="Most tokens (names, punctuation, values) one document may contain.")
    max_fields: int = Field(
        400, ge=1, description="Most fields one document may select, a fragment's counted at every spread."
    )
    max_introspections: int = Field(
        1, ge=0, description="Most `__schema` fields (introspections of the whole schema) one operation may select."
    )
    max_query_cost: int = Field(
        50_000,
        ge=1,
        description="Highest estimated cost of an operation: objects it may return, lists counted at their page size.",
    )
    heavy_query_cost: int = Field(
        25_000,
        ge=1,
        description="Cost from which an operation is heavy: each worker runs one heavy operation at a time, lighter ones beside it.",
    )
    max_body_bytes: int = Field(262_144, ge=1, description="Largest request body, in bytes, that /graphql reads.")
    max_json_depth: int = Field(
        32, ge=2, description="Deepest nesting of objects and lists a request body may have (variables included)."
    )
    max_json_items: int = Field(
        1000, ge=1, description="Most items one list of a request body may hold (variables included)."
    )
    request_timeout: float = Field(10.0, gt=0, description="Seconds one GraphQL request may run before it is stopped.")
    sqlite_busy_timeout: float = Field(
        5.0,
        ge=0,
        description="Seconds a SQLite writer waits for another's write lock; past it, SERVICE_UNAVAILABLE (503).",
    )
    database_pool_size: int = Field(
        20, ge=1, description="PostgreSQL connections each worker keeps open between requests."
    )
    database_max_overflow: int = Field(
        10, ge=0, description="Further PostgreSQL connections a worker opens under load, closed again once returned."
    )
    document_cache_size: int = Field(
        512, ge=1, description="Distinct documents whose parse and validation are kept for reuse (per worker)."
    )
    document_cache_bytes: int = Field(
        DOCUMENT_CACHE_BYTES,
        ge=1,
        description=(
            "Total length of the document texts whose parse and validation each worker keeps; a document longer "
            "than a sixteenth of it is not kept (parsed and validated per request)."
        ),
    )
    rejudge_on_policy_change: bool = Field(
        True,
        description=(
            "After a scoring policy change, judge every account again under the new version in the background, in short "
            "batches, on the worker that served the change (else `kam recompute` applies it)."
        ),
    )
    compiled_reads: bool = Field(
        True,
        description=(
            "Answer queries whose every field has a compiled plan (the nested reads of accounts, stakeholders, "
            "needs, plans, relationship maps and the growth matrix) with one statement per level and no per-field execution; "
            "false runs every query through the general executor."
        ),
    )


    @model_validator(mode="after")
    def _jwt_is_fully_configured(self) -> Settings:
        if self.jwt_key is not None and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError("KAM_JWT_KEY needs KAM_JWT_ISSUER and KAM_JWT_AUDIENCE: every JWT is checked against both.")
        return self

    @property
    def jwt_algorithm_list(self) -> list[str]:
        return [a.strip() for a in self.jwt_algorithms.split(",") if a.strip()]


@lru_cache
def get_settings() -> Settings:
    return Settings()
