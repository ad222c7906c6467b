"""Authentication: API tokens and JWTs map to team members; everything else gets a 401 and runs nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.token import (
    ApiToken,
    TokenState,
    needs_last_used_update,
    parse_expiry,
    token_state,
)
from kam.app import create_app
from kam.db import session_factory
from kam.settings import Settings
from tests.conftest import GraphQLClient, add_member, http_client

COUNT = "{ accounts { totalCount } }"
CREATE = 'mutation { accountCreate(input: {name: "Sneaky", grade: A, valueTier: HIGH}) { account { id } } }'
ISSUER = "https://id.kam.test/"
AUDIENCE = "kam-api"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


@pytest.fixture
def settings(database_url: str, rsa_key: rsa.RSAPrivateKey) -> Settings:
    """This module's server accepts JWTs of one identity provider as well as API tokens."""
    return Settings(database_url=database_url, jwt_key=public_pem(rsa_key), jwt_issuer=ISSUER, jwt_audience=AUDIENCE)


def base64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(key: Any, email: str | None, *, algorithm: str = "RS256", **overrides: Any) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u-1", "iat": now, "exp": now + timedelta(minutes=5)}
    if email is not None:
        claims["email"] = email
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


async def post_with(app: Any, authorization: str | None, query: str = COUNT, **headers: str) -> httpx.Response:
    extra = {} if authorization is None else {"Authorization": authorization}
    async with http_client(app, None) as http:
        return await http.post("/graphql", json={"query": query}, headers={**extra, **headers})


def assert_unauthenticated(response: httpx.Response, message_part: str = "") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert message_part.lower() in error["message"].lower()


async def set_token(engine: AsyncEngine, token: str, **values: Any) -> None:
    prefix = token.split("_")[1]
    async with session_factory(engine)() as session, session.begin():
        await session.execute(update(ApiToken).where(ApiToken.prefix == prefix).values(**values))


async def token_row(engine: AsyncEngine, token: str) -> ApiToken:
    async with session_factory(engine)() as session:
        return (await session.scalars(select(ApiToken).where(ApiToken.prefix == token.split("_")[1]))).one()


# API tokens


async def test_a_valid_api_token_runs_the_request(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "VIEWER")
    response = await post_with(app, f"Bearer {member['token']}")
    assert response.status_code == 200
    assert response.json()["data"] == {"accounts": {"totalCount": 0}}


async def test_the_bearer_scheme_is_case_insensitive(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "VIEWER")
    assert (await post_with(app, f"bearer {member['token']}")).status_code == 200


async def test_no_token_is_refused(anonymous: GraphQLClient) -> None:
    response = await anonymous.post(COUNT)
    assert_unauthenticated(response, "authentication required")
    assert response.headers["www-authenticate"] == 'Bearer realm="kam"'


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Basic dXNlcjpwdw==", id="basic-scheme"),
        pytest.param("Bearer", id="no-token"),
        pytest.param("Bearer    ", id="blank-token"),
        pytest.param("Bearer not-a-token", id="garbage"),
        pytest.param("Bearer kam_1234_short", id="kam-prefix-wrong-shape"),
    ],
)
async def test_malformed_authorization_is_refused(app: Any, authorization: str) -> None:
    response = await post_with(app, authorization)
    assert_unauthenticated(response)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_an_unknown_token_is_refused(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN")
    prefix = member["token"].split("_")[1]
    forged = f"kam_{prefix}_{'A' * 43}"
    assert_unauthenticated(await post_with(app, f"Bearer {forged}"), "not known")


async def test_an_expired_token_is_refused(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN")
    await set_token(engine, member["token"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert_unauthenticated(await post_with(app, f"Bearer {member['token']}"), "expired")


async def test_a_revoked_token_is_refused(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN")
    assert (await post_with(app, f"Bearer {member['token']}")).status_code == 200
    await set_token(engine, member["token"], revoked_at=datetime.now(UTC))
    assert_unauthenticated(await post_with(app, f"Bearer {member['token']}"), "revoked")


async def test_the_token_of_an_inactive_member_is_refused(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN", active=False)
    assert_unauthenticated(await post_with(app, f"Bearer {member['token']}"), "inactive")


async def test_a_refused_request_runs_nothing(app: Any, client: GraphQLClient) -> None:
    assert_unauthenticated(await post_with(app, None, CREATE))
    assert_unauthenticated(await post_with(app, "Bearer kam_00000000_" + "x" * 43, CREATE))
    assert (await client.execute(COUNT))["accounts"]["totalCount"] == 0


async def test_a_refusal_speaks_the_media_type_the_client_accepts(app: Any) -> None:
    response = await post_with(app, None, Accept="application/graphql-response+json")
    assert_unauthenticated(response)
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    plain = await post_with(app, None)
    assert plain.headers["content-type"].startswith("application/json")


async def test_get_queries_need_a_token_too(anonymous: GraphQLClient) -> None:
    assert_unauthenticated(await anonymous.http.get("/graphql", params={"query": COUNT}))


async def test_graphiql_page_and_health_need_no_token(anonymous: GraphQLClient) -> None:
    page = await anonymous.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    health = await anonymous.http.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


async def test_use_is_recorded_at_most_once_a_minute(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "VIEWER")
    await set_token(engine, member["token"], last_used_at=None)
    assert (await post_with(app, f"Bearer {member['token']}")).status_code == 200
    first = (await token_row(engine, member["token"])).last_used_at
    assert first is not None and datetime.now(UTC) - first < timedelta(minutes=1)
    assert (await post_with(app, f"Bearer {member['token']}")).status_code == 200
    assert (await token_row(engine, member["token"])).last_used_at == first

    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    await set_token(engine, member["token"], last_used_at=an_hour_ago)
    assert (await post_with(app, f"Bearer {member['token']}")).status_code == 200
    assert (await token_row(engine, member["token"])).last_used_at > an_hour_ago


async def test_only_the_hash_of_a_token_is_stored(engine: AsyncEngine) -> None:
    member = await add_member(engine, "VIEWER")
    row = await token_row(engine, member["token"])
    secret = member["token"].split("_", 2)[2]
    assert secret not in repr(vars(row)) and row.token_hash != member["token"]
    assert len(row.token_hash) == 64 and row.prefix == member["token"].split("_")[1]


# JWTs


async def test_a_valid_jwt_acts_as_the_member_with_that_email(app: Any, engine: AsyncEngine, rsa_key: Any) -> None:
    member = await add_member(engine, "VIEWER")
    response = await post_with(app, f"Bearer {make_jwt(rsa_key, member['email'].upper())}")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"accounts": {"totalCount": 0}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"exp": datetime.now(UTC) - timedelta(hours=1)}, "expired", id="expired"),
        pytest.param({"aud": "another-api"}, "audience", id="wrong-audience"),
        pytest.param({"iss": "https://evil.example/"}, "issuer", id="wrong-issuer"),
        pytest.param({"exp": None}, "exp", id="no-expiry"),
        pytest.param({"aud": None}, "aud", id="no-audience"),
    ],
)
async def test_jwt_claims_are_checked(
    app: Any, engine: AsyncEngine, rsa_key: Any, overrides: dict[str, Any], message: str
) -> None:
    member = await add_member(engine, "ADMIN")
    assert_unauthenticated(await post_with(app, f"Bearer {make_jwt(rsa_key, member['email'], **overrides)}"), message)


async def test_a_jwt_signed_with_another_key_is_refused(app: Any, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_unauthenticated(await post_with(app, f"Bearer {make_jwt(other, member['email'])}"), "not valid")


async def test_a_jwt_with_an_algorithm_not_accepted_is_refused(app: Any, engine: AsyncEngine, rsa_key: Any) -> None:
    member = await add_member(engine, "ADMIN")
    # The classic confusion: an HMAC token keyed with the server's public key (PyJWT will not even sign one).
    header = base64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "email": member["email"], "exp": now + 300}
    signing_input = f"{header}.{base64url(json.dumps(claims).encode())}"
    mac = hmac.new(public_pem(rsa_key).encode(), signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{base64url(mac)}"
    assert_unauthenticated(await post_with(app, f"Bearer {forged}"), "not valid")
    unsigned = make_jwt(None, member["email"], algorithm="none")
    assert_unauthenticated(await post_with(app, f"Bearer {unsigned}"), "not valid")


async def test_a_jwt_tampered_with_is_refused(app: Any, engine: AsyncEngine, rsa_key: Any) -> None:
    member = await add_member(engine, "VIEWER")
    admin = await add_member(engine, "ADMIN")
    header, _, signature = make_jwt(rsa_key, member["email"]).split(".")
    _, payload, _ = make_jwt(rsa_key, admin["email"]).split(".")
    assert_unauthenticated(await post_with(app, f"Bearer {header}.{payload}.{signature}"), "not valid")


async def test_a_jwt_of_an_unknown_or_inactive_member_is_refused(app: Any, engine: AsyncEngine, rsa_key: Any) -> None:
    inactive = await add_member(engine, "ADMIN", active=False)
    for email in ("nobody@kam.test", inactive["email"]):
        assert_unauthenticated(await post_with(app, f"Bearer {make_jwt(rsa_key, email)}"), "no active team member")
    assert_unauthenticated(await post_with(app, f"Bearer {make_jwt(rsa_key, None)}"), "email")


async def test_a_server_without_a_jwt_key_refuses_jwts(database_url: str, engine: AsyncEngine, rsa_key: Any) -> None:
    member = await add_member(engine, "ADMIN")
    plain = create_app(Settings(database_url=database_url), engine=engine)
    assert_unauthenticated(await post_with(plain, f"Bearer {make_jwt(rsa_key, member['email'])}"), "accepts no jwts")


async def test_an_hmac_secret_works_when_configured(database_url: str, engine: AsyncEngine) -> None:
    member = await add_member(engine, "ADMIN")
    secret = "s" * 48
    settings = Settings(
        database_url=database_url, jwt_key=secret, jwt_algorithms="HS256", jwt_issuer=ISSUER, jwt_audience=AUDIENCE
    )
    hmac_app = create_app(settings, engine=engine)
    assert (await post_with(hmac_app, f"Bearer {make_jwt(secret, member['email'], algorithm='HS256')}")).status_code == 200
    assert_unauthenticated(await post_with(hmac_app, f"Bearer {make_jwt('t' * 48, member['email'], algorithm='HS256')}"))


def test_a_jwt_key_needs_issuer_and_audience(rsa_key: Any) -> None:
    with pytest.raises(ValidationError, match="KAM_JWT_ISSUER"):
        Settings(jwt_key=public_pem(rsa_key), jwt_audience=AUDIENCE)


@pytest.mark.parametrize(
    ("key", "algorithms"),
    [pytest.param("not a pem", "RS256", id="rsa-without-pem"), pytest.param(None, "none", id="no-signature")],
)
def test_a_misconfigured_jwt_key_stops_the_server_from_starting(rsa_key: Any, key: str | None, algorithms: str) -> None:
    settings = Settings(
        jwt_key=key or public_pem(rsa_key), jwt_algorithms=algorithms, jwt_issuer=ISSUER, jwt_audience=AUDIENCE
    )
    with pytest.raises(ValueError, match="KAM_JWT"):
        create_app(settings)


# The token rules


def test_token_state() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert token_state(None, None, now) is TokenState.ACTIVE
    assert token_state(now + timedelta(seconds=1), None, now) is TokenState.ACTIVE
    assert token_state(now, None, now) is TokenState.EXPIRED
    assert token_state(now + timedelta(days=1), now, now) is TokenState.REVOKED


def test_last_used_is_written_at_most_once_a_minute() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert needs_last_used_update(None, now)
    assert not needs_last_used_update(now - timedelta(seconds=59), now)
    assert needs_last_used_update(now - timedelta(minutes=1), now)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30d", datetime(2026, 5, 31, 12, tzinfo=UTC)),
        ("12h", datetime(2026, 5, 2, 0, tzinfo=UTC)),
        ("90m", datetime(2026, 5, 1, 13, 30, tzinfo=UTC)),
        ("2026-06-30", datetime(2026, 7, 1, tzinfo=UTC)),
        ("2026-06-30T08:00:00+02:00", datetime(2026, 6, 30, 6, tzinfo=UTC)),
        ("2026-06-30T08:00", datetime(2026, 6, 30, 8, tzinfo=UTC)),
    ],
)
def test_expiry_from_duration_or_date(text: str, expected: datetime) -> None:
    assert parse_expiry(text, datetime(2026, 5, 1, 12, tzinfo=UTC)) == expected


@pytest.mark.parametrize("text", ["0d", "soon", "30x", "2026-04-30", "2020-01-01T00:00"])
def test_expiry_must_be_a_future_duration_or_date(text: str) -> None:
    with pytest.raises(ValueError):
        parse_expiry(text, datetime(2026, 5, 1, 12, tzinfo=UTC))
