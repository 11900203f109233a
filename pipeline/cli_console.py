"""`ost users` and `ost serve`: the accounts and the server of the web console (docs/console.md)."""

from __future__ import annotations

import getpass
import socket
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from pipeline.cli_shared import EXIT_DATA_ERRORS, fail, guarded, opened_database
from pipeline.config import load_settings

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

users_app = typer.Typer(help="Accounts of the web console.", no_args_is_help=True)


def read_password() -> str:
    """A new password: typed twice on a terminal, or the first line of standard input."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            fail("no password on standard input")
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        fail("the two passwords differ")
    return first


@users_app.command("add")
@guarded
def users_add(
    name: Annotated[str, typer.Argument(help="The user name to sign in with")],
    role: Annotated[str, typer.Option("--role", help="operator or school")],
    mident: Annotated[
        list[str] | None, typer.Option("--mident", help="A school the account sees (repeat)")
    ] = None,
) -> None:
    """Add an account; its password is read from the terminal or standard input."""
    from pipeline.accounts import AccountError, add_account, checked_new_account

    midents = mident or []
    try:
        checked_new_account(name, role, midents, "x" * 64)  # the password is asked for after
        password = read_password()
        with opened_database(load_settings().database_url) as engine, engine.begin() as conn:
            account = add_account(conn, name, role, midents, password, datetime.now(UTC))
    except AccountError as error:
        fail(str(error), EXIT_DATA_ERRORS)
    schools = f" for {', '.join(account.midents)}" if account.midents else ""
    typer.echo(f"added {account.role} {account.name}{schools}")


@users_app.command("disable")
@guarded
def users_disable(
    name: Annotated[str, typer.Argument(help="The account's user name")],
) -> None:
    """Stop an account from signing in (its open sessions end at their next request)."""
    from pipeline.accounts import AccountError, disable_account

    try:
        with opened_database(load_settings().database_url) as engine, engine.begin() as conn:
            disable_account(conn, name)
    except AccountError as error:
        fail(str(error), EXIT_DATA_ERRORS)
    typer.echo(f"disabled {name}")


@users_app.command("password")
@guarded
def users_password(
    name: Annotated[str, typer.Argument(help="The account's user name")],
) -> None:
    """Set a new password (read from the terminal or standard input); re-enables the account."""
    from pipeline.accounts import AccountError, find_account, set_password

    try:
        with opened_database(load_settings().database_url) as engine:
            with engine.connect() as conn:
                if find_account(conn, name) is None:
                    raise AccountError(f"no user {name!r}")
            password = read_password()
            with engine.begin() as conn:
                set_password(conn, name, password, datetime.now(UTC))
    except AccountError as error:
        fail(str(error), EXIT_DATA_ERRORS)
    typer.echo(f"password of {name} changed")


@guarded
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on")] = DEFAULT_HOST,
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on", min=1, max=65535)
    ] = DEFAULT_PORT,
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            help="Pages made at once, the others waiting their turn (default: cores + 1)",
            min=1,
            max=64,
        ),
    ] = None,
) -> None:
    """The web console on http://HOST:PORT (127.0.0.1:8000 by default)."""
    import uvicorn

    from pipeline.web.app import console_from_settings

    settings = load_settings()
    listener = listening_socket(host, port)
    application = console_from_settings(settings, page_turns=threads)
    # Behind a TLS reverse proxy on the same machine, X-Forwarded-Proto marks requests as
    # https (session cookies then carry Secure); other addresses are not trusted for it.
    config = uvicorn.Config(
        application,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        log_level="info",
    )
    typer.echo(f"serving the console on http://{host}:{port}", err=True)
    uvicorn.Server(config).run(sockets=[listener])


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the console listens on; one line and exit 2 when it cannot be had."""
    try:
        address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        # With its protocol (TCP) named: asyncio sets TCP_NODELAY only on connections of such a
        # socket, and without it each response on a kept-alive connection waited about 40 ms.
        listener = socket.socket(address[0], socket.SOCK_STREAM, address[2])
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address[4])
    except (OSError, OverflowError) as error:
        fail(f"cannot listen on {host}:{port}: {getattr(error, 'strerror', None) or error}")
    return listener


def register(app: typer.Typer) -> None:
    """Add the console's commands to the `ost` command line."""
    app.add_typer(users_app, name="users")
    app.command("serve")(serve)
