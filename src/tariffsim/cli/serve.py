"""``tariffsim serve``: the local web app (``tariffsim.web``), on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from tariffsim.cli import runs
from tariffsim.cli._common import friendly_errors, stderr

TOKEN_ENV = "TARIFFSIM_WEB_TOKEN"


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to serve on. Anything but loopback needs "
                             "--allow-remote and a token."),
    port: int = typer.Option(8765, "--port", "-p", min=0, max=65535, help="Port (0: any free one)."),
    allow_remote: bool = typer.Option(False, "--allow-remote", help="Allow --host other than 127.0.0.1/localhost; "
                                      "every request must then carry the token."),
    token: str = typer.Option(None, "--token", help=f"Access token every request must carry (default "
                              f"${TOKEN_ENV}; with --allow-remote and none given, one is made and printed)."),
    runs_db: runs.RunsDb = None,
    workers: int = typer.Option(1, "--workers", min=1, max=8, help="Runs solved at once."),
    queue: int = typer.Option(32, "--queue", min=1, max=1000, help="Most runs queued or running at once; one "
                              "more is refused (HTTP 429)."),
    examples: Path = typer.Option(None, "--examples", file_okay=False, exists=True, help="Folder of example "
                                  "scenarios the form offers (default: the repository's examples/)."),
) -> None:
    """Serve the web app: build a scenario in a form (or open an example, or paste TOML), run it, see the
    tables and the world map, save runs and compare them.

    Example: [bold]tariffsim serve[/] then open http://127.0.0.1:8765/
    """
    with friendly_errors(ctx):
        import secrets

        import uvicorn

        from tariffsim.errors import OptionError
        from tariffsim.web import Settings, create_app
        from tariffsim.web.security import is_loopback

        remote = not is_loopback(host)
        if remote and not allow_remote:
            raise OptionError(f"--host {host}: serving beyond this machine needs --allow-remote (and a token: "
                              f"--token or ${TOKEN_ENV}); the default 127.0.0.1 is reachable from here only")
        token = token or os.environ.get(TOKEN_ENV) or (secrets.token_urlsafe(24) if remote else None)
        settings = Settings(host=host, token=token, runs_db=runs_db, workers=workers, queue=queue, warm_up=True,
                            **({"examples": examples} if examples is not None else {}))
        app = create_app(settings)
        listening = _bind(host, port)
        bound = listening.getsockname()[1]
        address = f"[{host}]" if ":" in host else host
        stderr.print(f"tariffsim web app on http://{address}:{bound}/{f'?token={token}' if token else ''} "
                     "(Ctrl-C stops it)", highlight=False)
        uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[listening])


def _bind(host: str, port: int):
    """A listening socket on ``host``:``port`` (so the port is known, even for port 0, before serving)."""
    import socket

    from tariffsim.errors import OptionError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise OptionError(f"--host {host} --port {port}: cannot listen there ({error.strerror}); fix: choose "
                          "another --port (0: any free one) or a local address") from None
    listening.listen(128)
    return listening
