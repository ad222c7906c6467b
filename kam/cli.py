"""The `kam` command: serve, migrate, demo, export-schema."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from kam.settings import get_settings

app = typer.Typer(help="kam: a GraphQL backend for key-account management.", no_args_is_help=True)

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind; default KAM_HOST.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on; default KAM_PORT.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    demo: Annotated[bool, typer.Option("--demo", help="Migrate and load the demo portfolio first if the database is empty.")] = False,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql, health at /healthz)."""
    import uvicorn

    settings = get_settings()
    if demo:
        migrate()
        from kam.demo import load_demo

        loaded = asyncio.run(load_demo(settings.database_url, only_if_empty=True))
        typer.echo("Demo portfolio loaded." if loaded else "Database already holds data; demo not loaded again.")
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
def demo() -> None:
    """Migrate, then load the demo portfolio: accounts with maps, needs, assessments and plans."""
    from kam.demo import load_demo

    migrate()
    asyncio.run(load_demo(get_settings().database_url, only_if_empty=False))
    typer.echo("Demo portfolio loaded.")


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
