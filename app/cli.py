"""The `spindelvaev` command: serve, migrate, back up and restore, prune, export, seed a demo."""

import logging
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, NoReturn
from urllib.parse import urlsplit

import typer
from sqlmodel import Session

from app.config import Settings, get_settings
from app.db.engine import make_engine
from app.migrate import upgrade_to_head
from app.themes import CatalogueError, check_catalogue, default_catalogue_path, load_catalogue

app = typer.Typer(
    help="Spindelvæv: tværprofessionelle teams vurderer og følger op på deres samarbejde.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Databasen.", no_args_is_help=True)
catalogue_app = typer.Typer(help="Udsagnskataloget (data/statements.yaml).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(catalogue_app, name="catalogue")


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Adresse der lyttes på.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port der lyttes på.")] = 8000,
    workers: Annotated[int, typer.Option(help="Antal processer (kræver PostgreSQL ved >1).")] = 1,
    migrate: Annotated[
        bool, typer.Option(help="Opdatér databasen til nyeste version før start.")
    ] = True,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Læg demo-data i en tom database (ikke ved SPINDELVAEV_DEMO=0)."
        ),
    ] = False,
) -> None:
    """Start the web service; applies the migrations first."""
    import uvicorn

    from app.web.addresses import is_loopback, lan_address, url_for_host

    if not os.environ.get("SPINDELVAEV_BASE_URL"):
        # Links and QR codes name the address served; on all interfaces, the LAN address.
        everywhere = host in ("0.0.0.0", "::", "")
        shown = (lan_address() or "127.0.0.1") if everywhere else host
        os.environ["SPINDELVAEV_BASE_URL"] = url_for_host(shown, port)
        get_settings.cache_clear()
    settings = get_settings()
    try:
        load_catalogue(settings.catalogue_path)
    except CatalogueError as error:
        _fail(f"Kataloget kan ikke indlæses: {error}")
    if migrate:
        upgrade_to_head(settings.effective_database_url)
    if demo and settings.demo:
        _seed_demo(as_json=False, if_empty=True)
    _offer_setup(settings)
    _prune_daily(settings)
    typer.echo(f"Spindelvæv kører på {url_for_host(host, port)}/ (stop med Ctrl+C)")
    typer.echo(f"Links og QR-koder peger på {settings.base_url}/")
    if is_loopback(urlsplit(settings.base_url).hostname or ""):
        typer.echo(
            "  Telefoner kan ikke nå den adresse. Start med --host 0.0.0.0, eller sæt "
            "SPINDELVAEV_BASE_URL til en adresse, telefonerne kan nå."
        )
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        # Forwarded headers are handled in the app, from SPINDELVAEV_TRUSTED_PROXIES only; uvicorn
        # would otherwise trust them from 127.0.0.1, where anyone on the machine can send them.
        proxy_headers=False,
        server_header=False,
    )


SETUP_TOKEN_FILE = "setup-token"


def _offer_setup(settings: Settings) -> None:
    """While no admin exists: a one-time setup link, printed and kept in the data folder (0600)."""
    from app.db.accounts import issue_setup_token

    engine = make_engine(settings.effective_database_url)
    with Session(engine) as session:
        token = issue_setup_token(session=session)
        session.commit()
    engine.dispose()
    token_file = settings.make_data_dir() / SETUP_TOKEN_FILE
    token_file.unlink(missing_ok=True)
    if token is None:
        return
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    link = f"{settings.base_url}/opsaetning/{token}"
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(link + "\n")
    typer.echo("Der er endnu ingen administrator. Opret den første med dette engangslink")
    typer.echo(f"(står også i {token_file}):")
    typer.echo(f"  {link}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to the configured database."""
    upgrade_to_head(get_settings().effective_database_url)
    typer.echo("Databasen er opdateret til nyeste version.")


@catalogue_app.command("check")
def catalogue_check(
    path: Annotated[
        Path | None, typer.Argument(help="YAML-fil (standard: den konfigurerede).")
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            help="Mappe med kildeteksterne 000_*.txt og 001_*.txt "
            "(standard: sources/ ved siden af filen, ellers ved standardkataloget)."
        ),
    ] = None,
) -> None:
    """Validate a catalogue and its basis lines; print a summary, or every problem and its place."""
    path = path or get_settings().catalogue_path
    if sources is None:
        beside = path.parent / "sources"
        sources = beside if beside.is_dir() else default_catalogue_path().parent / "sources"
    try:
        catalogue = check_catalogue(path, sources)
    except CatalogueError as error:
        count = len(error.problems)
        _fail(f"Fejl i kataloget ({count} {'problem' if count == 1 else 'problemer'}):\n{error}")
    typer.echo(catalogue.summary())


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(prompt="E-mail", help="Administratorens e-mail.")],
    name: Annotated[str, typer.Option(prompt="Navn", help="Administratorens navn.")],
    password: Annotated[
        str,
        typer.Option(
            prompt="Adgangskode",
            hide_input=True,
            confirmation_prompt=True,
            help="Adgangskode (spørges der om, hvis den ikke gives).",
        ),
    ],
) -> None:
    """Create a municipality admin account."""
    from app.db.accounts import AccountError, create_user

    settings = get_settings()
    upgrade_to_head(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    with Session(engine) as session:
        try:
            create_user(session=session, email=email, name=name, role="admin", password=password)
        except AccountError as error:
            _fail(str(error))
        session.commit()
    typer.echo(f"Administratoren {email} er oprettet.")


def _prune(settings: Settings) -> None:
    """Apply the retention rules once and say what went."""
    from app.db.models import utcnow
    from app.db.retention import apply

    engine = make_engine(settings.effective_database_url)
    try:
        pruned = apply(engine=engine, settings=settings, now=utcnow())
    finally:
        engine.dispose()
    typer.echo(
        f"Slettede {pruned.audit_entries} logposter ældre end {settings.audit_retention_days} "
        f"dage og {pruned.logins} afsluttede logins."
    )
    typer.echo(
        f"Slettede {pruned.comments} kommentarer i runder lukket for mere end "
        f"{settings.comment_retention_months} måneder siden."
    )
    if settings.round_retention_years:
        typer.echo(
            f"Slettede {pruned.rounds} runder med alle deres svar, lukket for mere end "
            f"{settings.round_retention_years} år siden."
        )


PRUNE_INTERVAL_SECONDS = 24 * 3600


def _prune_daily(settings: Settings) -> None:
    """In the serving process (once, however many workers): prune now, then every day."""

    def loop() -> None:
        while True:
            try:
                _prune(settings)
            except Exception:  # the next day tries again; the service keeps running
                logging.getLogger("spindelvaev").exception("Opbevaringsreglerne fejlede")
            time.sleep(PRUNE_INTERVAL_SECONDS)

    threading.Thread(target=loop, name="retention", daemon=True).start()


@app.command()
def prune() -> None:
    """Apply the retention rules: old audit entries, ended logins, old comments and rounds."""
    _prune(get_settings())


@app.command()
def backup(
    target: Annotated[Path, typer.Argument(help="Filen, sikkerhedskopien skrives til.")],
) -> None:
    """Copy the SQLite database while the service runs; on PostgreSQL, print the pg_dump command."""
    from app.db.backup import backup_sqlite, integrity, pg_dump_command, sqlite_file
    from app.errors import SpindelvaevError

    url = get_settings().effective_database_url
    database = sqlite_file(url)
    if database is None:
        typer.echo("Databasen er PostgreSQL. Tag sikkerhedskopien med pg_dump:")
        typer.echo(f"  {pg_dump_command(url, target)}")
        typer.echo("(adgangskoden gives i PGPASSWORD eller ~/.pgpass)")
        return
    if not database.is_file():
        _fail(f"Databasen {database} findes ikke.")
    try:
        backup_sqlite(database=database, target=target)
    except SpindelvaevError as error:
        _fail(error.message)
    typer.echo(f"Sikkerhedskopien er skrevet til {target} (integritetstjek: {integrity(target)}).")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="Sikkerhedskopien, der lægges tilbage.")],
    force: Annotated[
        bool, typer.Option("--force", help="Erstat en database, der allerede har data.")
    ] = False,
) -> None:
    """Put a backup back as the SQLite database (stop the service first); then migrate it."""
    from app.db.backup import pg_restore_command, restore_sqlite, sqlite_file
    from app.errors import SpindelvaevError

    url = get_settings().effective_database_url
    if sqlite_file(url) is None:
        typer.echo("Databasen er PostgreSQL. Læg en pg_dump-kopi tilbage med pg_restore:")
        typer.echo(f"  {pg_restore_command(url, source)}")
        return
    try:
        restore_sqlite(backup=source, url=url, force=force)
    except SpindelvaevError as error:
        _fail(error.message)
    upgrade_to_head(url)
    typer.echo(f"Databasen er lagt tilbage fra {source} og opdateret til nyeste version.")


@app.command()
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Udskriv som ét JSON-objekt.")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Spring stille over, hvis der allerede er data.")
    ] = False,
) -> None:
    """Fill an empty database with a demo municipality and print its addresses and logins."""
    _seed_demo(as_json=as_json, if_empty=if_empty)


def _seed_demo(*, as_json: bool, if_empty: bool) -> None:
    from app.db.demo import database_is_empty, save_logins, seed_demo

    settings = get_settings()
    catalogue = load_catalogue(settings.catalogue_path)
    upgrade_to_head(settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    with Session(engine) as session:
        if not database_is_empty(session):
            if if_empty:
                logins = settings.data_dir / "demo-logins.json"
                hint = f" Demo-logins: {logins}" if logins.exists() else ""
                typer.echo(f"Databasen har allerede data; demo-data lægges ikke ind.{hint}")
                return
            _fail("Databasen er ikke tom; demo-data kan kun lægges i en tom database.")
        info = seed_demo(session=session, catalogue=catalogue)
    engine.dispose()
    save_logins(info, settings.data_dir)
    if as_json:
        typer.echo(info.to_json())
        return
    base = settings.base_url
    typer.echo(f"Demo-kommunen er oprettet. Åbn {base}/")
    typer.echo(f"  Administrator: {info.admin.email} / {info.admin.password}")
    typer.echo(f"  Mødeleder:     {info.facilitator.email} / {info.facilitator.password}")
    for team in info.teams:
        typer.echo(f"  {team.name}:")
        for round_ in team.rounds:
            typer.echo(
                f"    {round_.label} ({round_.status}): {base}{round_.results_url}"
                f"  deltag: {base}{round_.join_url}"
            )


@app.command("export")
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Filen, eksporten skrives til.")],
    file_format: Annotated[str, typer.Option("--format", help="csv eller xlsx.")] = "csv",
    unit: Annotated[
        int | None, typer.Option("--unit", help="Kun teams i denne enhed (id).")
    ] = None,
    team: Annotated[int | None, typer.Option("--team", help="Kun dette team (id).")] = None,
    theme: Annotated[str | None, typer.Option("--theme", help="Kun dette tema (id).")] = None,
    opened_from: Annotated[
        datetime | None,
        typer.Option("--fra", formats=["%Y-%m-%d"], help="Runder åbnet denne dag eller senere."),
    ] = None,
    opened_to: Annotated[
        datetime | None,
        typer.Option("--til", formats=["%Y-%m-%d"], help="Runder åbnet denne dag eller før."),
    ] = None,
    separator: Annotated[
        str, typer.Option(help='";" (dansk Excel, decimalkomma) eller "," (decimalpunktum).')
    ] = ";",
    codebook: Annotated[
        Path | None, typer.Option("--kodebog", help="Skriv også kodebogen (Markdown) hertil.")
    ] = None,
) -> None:
    """Export every score (one row each) as CSV or XLSX; rounds below k are left out."""
    from app.db.export import (
        DANISH,
        INTERNATIONAL,
        ExportFilter,
        check_filter,
        codebook_markdown,
        export_rows,
        plan_export,
        write_export,
    )
    from app.errors import SpindelvaevError

    if file_format not in ("csv", "xlsx"):
        _fail("--format skal være csv eller xlsx.")
    if separator not in (";", ","):
        _fail('--separator skal være ";" eller ",".')
    settings = get_settings()
    catalogue = load_catalogue(settings.catalogue_path)
    filters = ExportFilter(
        unit_id=unit,
        team_id=team,
        theme_id=theme,
        opened_from=opened_from.date() if opened_from else None,
        opened_to=opened_to.date() if opened_to else None,
    )
    engine = make_engine(settings.effective_database_url)
    with Session(engine) as session:
        try:
            check_filter(
                session=session, filters=filters, theme_ids=[t.id for t in catalogue.themes]
            )
        except SpindelvaevError as error:
            _fail(error.message)
        plan = plan_export(
            session=session,
            filters=filters,
            k=settings.min_group_size,
            min_share=settings.min_share,
            profession_labels=catalogue.profession_labels(),
        )
        session.commit()  # the exported rounds are final from now on
        total = plan.rows if sys.stderr.isatty() else 0
    rows = export_rows(engine=engine, plan=plan)
    kind: Literal["csv", "xlsx"] = "xlsx" if file_format == "xlsx" else "csv"
    csv_format = DANISH if separator == ";" else INTERNATIONAL
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True)) as progress:
            task = progress.add_task("Eksporterer", total=total)
            written = write_export(
                rows=rows,
                plan=plan,
                path=output,
                kind=kind,
                csv_format=csv_format,
                progress=lambda done: progress.advance(task, done),
            )
    else:
        written = write_export(rows=rows, plan=plan, path=output, kind=kind, csv_format=csv_format)
    engine.dispose()
    if codebook is not None:
        codebook.write_text(codebook_markdown(plan), encoding="utf-8")
    typer.echo(f"Skrev {written:,} rækker til {output}.".replace(",", "."))
    typer.echo(
        f"{plan.left_out} {'runde' if plan.left_out == 1 else 'runder'} udeladt, fordi "
        f"{'den' if plan.left_out == 1 else 'de'} har færre end {plan.k} svar."
    )


def main() -> None:
    """Entry point for `python -m app.cli`."""
    app(prog_name="spindelvaev")


if __name__ == "__main__":
    main()
