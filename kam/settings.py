"""Settings from `KAM_*` environment variables; the defaults run locally on SQLite."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        Decimal("1000000"), description="Current annual value at or above which an account counts as high value."
    )
    growth_potential_threshold: Decimal = Field(
        Decimal("1000000"), description="Growth potential at or above which an account counts as high potential."
    )
    default_currency: str = Field("EUR", min_length=3, max_length=3, description="Currency of money given without one.")


@lru_cache
def get_settings() -> Settings:
    return Settings()
