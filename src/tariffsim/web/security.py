"""The web app's guards, applied to every request before any route runs (``install``).

- Host: the ``Host`` header must name the address served (or ``localhost``/``127.0.0.1`` on loopback),
  so a web page on another site cannot reach the app through DNS rebinding (on a wildcard address such
  as ``0.0.0.0`` any name, since the token is needed anyway).
- Token: when the app has one (always when it serves on an address other than loopback), every
  request carries it: ``Authorization: Bearer TOKEN``, an ``X-Tariffsim-Token`` header, the cookie the
  app sets, or ``?token=TOKEN`` once (the app then sets the cookie and redirects to the same page
  without it). Compared in constant time.
- Same origin: a request that changes state is a POST (routes take no PUT, PATCH or DELETE) and carries
  an ``Origin`` (or, failing that, ``Referer``) of this very host; others are refused (cross-site forms).
- Size: a request body over ``max_body`` bytes is refused with 413, whether it says its length or not.

Every response carries ``HEADERS`` (a Content-Security-Policy allowing only the app's own assets).
Every refusal is a short plain-text message saying what was wrong and what to do.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

COOKIE = "tariffsim_token"
TOKEN_HEADER = "x-tariffsim-token"
SAFE_METHODS = ("GET", "HEAD")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
HEADERS = {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
           "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
"""Sent with every page: scripts, styles and images from the app alone (no inline script, no CDN), never
framed by another site, forms posted only to the app; no guessing of content types."""


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


WILDCARDS = ("0.0.0.0", "::", "")


def allowed_hosts(host: str) -> set[str] | None:
    """Host names the ``Host`` header may carry for an app served on ``host``; None (any) for a wildcard
    address, whose names cannot be known (the token guards it)."""
    if host in WILDCARDS:
        return None
    return {host, *LOOPBACK} if is_loopback(host) else {host}


def host_name(header: str) -> str:
    """``example:8000`` -> ``example``; ``[::1]:8000`` -> ``[::1]``."""
    if header.startswith("["):
        return header.split("]")[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def presented_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get(TOKEN_HEADER) or request.cookies.get(COOKIE) or request.query_params.get("token")


def refuse(status: int, text: str) -> Response:
    return PlainTextResponse(text + "\n", status_code=status)


def install(app, *, host: str, token: str | None, max_body: int) -> None:
    """Add the guards of the module docstring to ``app`` (a FastAPI or Starlette app)."""
    hosts = allowed_hosts(host)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        given_host = host_name(request.headers.get("host", ""))
        if hosts is not None and given_host not in hosts:
            return refuse(400, f"Host {given_host[:80]!r} is not this app's address; open it as "
                               f"http://{host}:PORT/")
        if token is not None:
            given = presented_token(request)
            if given is None or not secrets.compare_digest(given.encode(), token.encode()):
                return refuse(401, "this tariffsim app needs its access token: open the URL with ?token=TOKEN "
                                   "that `tariffsim serve` printed, or send the header Authorization: Bearer TOKEN")
            if request.method in SAFE_METHODS and "token" in request.query_params:
                return _remember(request, token)
        if request.method not in SAFE_METHODS:
            problem = _cross_site(request)
            if problem:
                return refuse(403, problem)
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > max_body):
                return refuse(413, f"request body of {length[:20]} bytes is over this app's limit of {max_body:,}; "
                                   "send a smaller scenario")
        response = await call_next(request)
        response.headers.update(HEADERS)
        return response

    app.add_middleware(BodyLimit, max_body=max_body)


def _cross_site(request: Request) -> str | None:
    """Why a state-changing request is not same-origin, or None when it is."""
    if request.method != "POST":
        return f"{request.method} is not accepted: the app changes state only with POST requests from its own pages"
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return "POST without an Origin or Referer header is refused (same-origin check): send it from the app's page"
    parts = urlsplit(origin)
    if parts.netloc != request.headers.get("host", ""):
        return (f"POST from {origin[:80]!r} is refused: only the app's own pages (same origin) may change state")
    return None


def _remember(request: Request, token: str) -> Response:
    """Set the token cookie and redirect to the same URL without ``?token=`` (kept out of history)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "token"])
    response = RedirectResponse(request.url.path + (f"?{query}" if query else ""), status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


class BodyLimit:
    """ASGI middleware: reads a request body (chunked or not) up to ``max_body`` bytes before the app
    sees it, and answers 413 without calling the app once the body passes that."""

    def __init__(self, app, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.max_body:
                await refuse(413, f"request body over this app's limit of {self.max_body:,} bytes; send a smaller "
                                  "scenario")(scope, receive, send)
                return
        body = b"".join(chunks)

        async def replay():
            nonlocal body
            if body is None:
                return await receive()  # after the body: wait for the client's disconnect
            message, body = {"type": "http.request", "body": body, "more_body": False}, None
            return message

        await self.app(scope, replay, send)
