"""The `kam` command: serve, migrate, demo, recompute, import revenue, export-schema, and token create/list/revoke."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from kam.settings import get_settings

if TYPE_CHECKING:
    from kam.portfolio.load import PortfolioReport

T = TypeVar("T")

app = typer.Typer(help="kam: a GraphQL backend for key-account management.", no_args_is_help=True)
import_app = typer.Typer(help="Load data from where companies keep it.", no_args_is_help=True)
token_app = typer.Typer(help="Issue, list and revoke API tokens (`Authorization: Bearer <token>`).", no_args_is_help=True)
app.add_typer(token_app, name="token")
app.add_typer(import_app, name="import")

DEMO_TOKEN_LIFETIME = timedelta(days=30)

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind; default KAM_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on; default KAM_PORT.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option("--demo", help="Migrate and load the demo portfolio first if the database is empty.")] = False,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    access_log: Annotated[bool, typer.Option(help="Log a line per request (uvicorn's access log).")] = True,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql; liveness at /livez, readiness at /readyz)."""
    import uvicorn

    settings = get_settings()
    if demo:
        migrate()
        from kam.demo import load_demo

        loaded = asyncio.run(load_demo(settings.database_url, only_if_empty=True))
        typer.echo("Demo portfolio loaded." if loaded else "Database already holds data; demo not loaded again.")
        _print_demo_token()
    else:
        typer.echo("Every request needs a bearer token: `kam token create --member EMAIL` issues one.")
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"GraphiQL: http://{bind_host}:{bind_port}/graphql")
    uvicorn.run(
        "kam.app:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        reload=reload,
        log_level="info",
        access_log=access_log,
    )


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Bring the database (KAM_DATABASE_URL) to the given revision, `head` by default."""
    from kam.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    typer.echo(f"Database at revision {revision}.")


@app.command()
def demo(
    accounts: Annotated[
        int | None,
        typer.Option(
            "--accounts",
            min=1,
            help="Instead of the hand-written demo, add a synthetic portfolio of this many accounts (bulk load).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="With --accounts: the same seed gives the same portfolio. Random if left out."),
    ] = None,
    batch: Annotated[
        int | None,
        typer.Option(min=1, help="With --accounts: accounts per chunk, each one transaction (default 500)."),
    ] = None,
) -> None:
    """Migrate, then load the demo portfolio: accounts with maps, needs, assessments and plans.

    With --accounts N, add a realistic synthetic portfolio of N accounts and the team that runs it instead.
    """
    if accounts is None:
        if seed is not None or batch is not None:
            raise typer.BadParameter("--seed and --batch only apply with --accounts", param_hint="--accounts")
        from kam.demo import load_demo

        migrate()
        asyncio.run(load_demo(get_settings().database_url, only_if_empty=False))
        typer.echo("Demo portfolio loaded.")
        _print_demo_token()
        return
    migrate()
    report = asyncio.run(_load_portfolio(accounts, seed, batch))
    typer.echo(
        f"Synthetic portfolio loaded: {report.accounts:,} accounts, {report.total_rows:,} rows "
        f"in {report.seconds:.1f}s (seed {report.seed})."
    )
    width = max(len(name) for name in report.rows)
    for name, count in report.rows.items():
        typer.echo(f"  {name.ljust(width)}  {count:>12,}")
    _print_admin_token("the portfolio's ADMIN", report.admin_email)


@app.command()
def recompute(
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Accounts per transaction.")] = 1000,
) -> None:
    """Bring what the writes keep up to date as days pass: each account's and stakeholder's interaction counts
    over the last 30, 90 and 365 days, each account's trailing twelve months of revenue and its judgments (with
    the portfolio's value tiers ranked), then rank the portfolio's RFM scores. Safe to run while the API serves;
    run it daily."""
    from rich.progress import Progress

    from domain.base import today
    from kam.recompute import recompute as run

    async def work(engine: AsyncEngine) -> None:
        with Progress(transient=True) as bar:
            task = bar.add_task("Recounting accounts", total=None)
            done = await run(
                engine,
                today(),
                batch=batch,
                progress=lambda n, total: bar.update(task, completed=n, total=total),
            )
        typer.echo(f"Recounted {done.accounts:,} accounts and {done.stakeholders:,} stakeholders in {done.seconds:.1f}s.")

    _on_database(work)


@import_app.command("revenue")
def import_revenue(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV file, UTF-8, with a header.")],
    keep_good_rows: Annotated[
        bool, typer.Option("--keep-good-rows", help="Load the good rows even when others have problems.")
    ] = False,
    member: Annotated[
        str | None, typer.Option("--member", help="The email of the team member the audit trail names as having loaded the records.")
    ] = None,
) -> None:
    """Load revenue records from a CSV file with the columns account (ID or exact name), date (YYYY-MM-DD),
    amount, currency, margin, product_line, reference. Every row is checked first: with problems nothing is
    loaded (unless --keep-good-rows) and each is reported by row and column. Loading a file again changes
    nothing: a record is known by its account and reference."""
    from rich.progress import Progress

    from domain.base import today
    from kam.revenue_import import UnknownMember, import_revenue as run

    async def work(engine: AsyncEngine) -> None:
        with Progress(transient=True) as bar:
            task = bar.add_task("Checking rows", total=None)
            done = await run(
                engine,
                path,
                today(),
                keep_good_rows=keep_good_rows,
                member_email=member,
                progress=lambda n: bar.update(task, completed=n),
            )
        loaded = done.loaded
        for problem in loaded.problems:
            column = f", column {problem.column}" if problem.column else ""
            typer.echo(f"row {problem.row}{column}: {problem.message}", err=True)
        if loaded.problems and not loaded.written and not keep_good_rows:
            typer.echo(f"{len({p.row for p in loaded.problems})} of {done.rows:,} rows have problems; nothing was loaded.", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"{done.rows:,} rows: {loaded.created:,} added, {loaded.updated:,} updated, {loaded.unchanged:,} unchanged, "
            f"{len({p.row for p in loaded.problems}):,} refused."
        )

    try:
        _on_database(work)
    except UnknownMember as exc:
        raise typer.BadParameter(f"no team member has the email {exc}", param_hint="--member") from None
    except UnicodeDecodeError:
        raise typer.BadParameter("the file is not UTF-8 text", param_hint="PATH") from None


async def _load_portfolio(accounts: int, seed: int | None, batch: int | None) -> PortfolioReport:
    from domain.growth import MatrixThresholds
    from kam.db import create_engine
    from kam.portfolio.load import DEFAULT_BATCH, load_portfolio

    settings = get_settings()
    engine = create_engine(settings.database_url)
    try:
        return await load_portfolio(
            engine,
            accounts,
            thresholds=MatrixThresholds(settings.growth_value_threshold, settings.growth_potential_threshold),
            seed=seed,
            batch=batch or DEFAULT_BATCH,
            progress=lambda p: typer.echo(p.describe()),
        )
    finally:
        await engine.dispose()


def _on_database(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run `work` with an engine on KAM_DATABASE_URL, disposed of afterwards."""
    from kam.db import create_engine

    async def run() -> T:
        engine = create_engine(get_settings().database_url)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _in_session(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on KAM_DATABASE_URL."""
    from kam.db import session_factory

    async def run(engine: AsyncEngine) -> T:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)

    return _on_database(run)


def _print_demo_token() -> None:
    """A fresh ADMIN token for the demo's admin, and how to use it in GraphiQL."""
    from kam.demo import MEMBERS, member_email

    admin = next(m for m in MEMBERS if m.role == "ADMIN")
    _print_admin_token(f"the demo ADMIN {admin.name}", member_email(admin.name))


def _print_admin_token(who: str, email: str) -> None:
    """A fresh token named `demo` for an ADMIN, valid for 30 days, and how to use it in GraphiQL."""
    from domain.base import utcnow
    from kam.tokens import TokenError, issue_token, member_by_email

    async def work(session: AsyncSession) -> str:
        member = await member_by_email(session, email)
        return await issue_token(session, member, "demo", utcnow() + DEMO_TOKEN_LIFETIME)

    try:
        token = _in_session(work)
    except TokenError as exc:
        typer.echo(f"No demo token: {exc} Issue one with `kam token create --member EMAIL`.")
        return
    typer.echo(f"API token of {who} <{email}>, valid for {DEMO_TOKEN_LIFETIME.days} days:")
    typer.echo(f"  {token}")
    typer.echo('In GraphiQL, open "Headers" (bottom left) and paste:')
    typer.echo(f'  {{"Authorization": "Bearer {token}"}}')


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%MZ")


@token_app.command("create")
def token_create(
    member: Annotated[str, typer.Option("--member", help="Email of the team member the token acts for.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for; shown by `kam token list`.")] = "cli",
    expires: Annotated[
        str | None,
        typer.Option(
            "--expires",
            help="30d, 12h or 90m from now; or an ISO date (valid through that day, UTC) or date-time. Never, if left out.",
        ),
    ] = None,
) -> None:
    """Issue an API token for a team member and print it: it is shown only this once."""
    from domain.base import utcnow
    from domain.token import parse_expiry
    from kam.tokens import TokenError, issue_token, member_by_email

    label = name.strip()
    if not label or len(label) > 200:
        raise typer.BadParameter("give a name of 1 to 200 characters", param_hint="--name")
    try:
        expires_at = None if expires is None else parse_expiry(expires, utcnow())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--expires") from None

    async def work(session: AsyncSession) -> tuple[str, str]:
        found = await member_by_email(session, member)
        return await issue_token(session, found, label, expires_at), found.email

    try:
        token, email = _in_session(work)
    except TokenError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    until = "never expires" if expires_at is None else f"expires {_when(expires_at)}"
    typer.echo(f"API token {token.split('_')[1]} for {email} ({label}; {until}):")
    typer.echo(token)
    typer.echo("It is shown only this once: kam keeps only its hash. Send it as `Authorization: Bearer <token>`.")


@token_app.command("list")
def token_list(
    member: Annotated[str | None, typer.Option("--member", help="Only the tokens of this member (email).")] = None,
) -> None:
    """List API tokens with their prefix, member, name and dates; never their secret."""
    from kam.tokens import TokenError, list_tokens

    try:
        tokens = _in_session(lambda session: list_tokens(session, member))
    except TokenError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    if not tokens:
        typer.echo("No API tokens.")
        return
    header = ("PREFIX", "MEMBER", "NAME", "CREATED", "EXPIRES", "REVOKED", "LAST USED")
    rows = [
        (t.prefix, t.member_email, t.name, _when(t.created_at), _when(t.expires_at), _when(t.revoked_at), _when(t.last_used_at))
        for t in tokens
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        typer.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@token_app.command("revoke")
def token_revoke(
    prefix: Annotated[str, typer.Argument(help="The token's prefix as `kam token list` shows it (or the whole token).")],
) -> None:
    """Revoke an API token: requests that send it are refused from now on."""
    from kam.tokens import TokenError, revoke_token

    async def work(session: AsyncSession) -> tuple[str, bool]:
        token, changed = await revoke_token(session, prefix)
        return token.prefix, changed

    try:
        revoked, changed = _in_session(work)
    except TokenError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Revoked API token {revoked}." if changed else f"API token {revoked} was already revoked.")


@app.command("export-schema")
def export_schema(
    path: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SCHEMA_FILE,
) -> None:
    """Write the GraphQL SDL (committed as schema/schema.graphql)."""
    from schema.api import sdl

    path.write_text(sdl(), encoding="utf-8")
    typer.echo(f"Wrote {path}")


if __name__ == "__main__":
    app()
