"""What every response says to the browser about itself, and the settings production refuses.

Every response (pages, error pages, static files, the calendar feed, /healthz) carries the
headers: the pages load scripts and styles from our own origin only, no page can be framed
(a task page in a stranger's frame is a click-jacking target), the browser never guesses a
content type, a task's address is not sent to another site, and in production the browser
keeps to HTTPS. A response that needs a policy of its own (the outbox's email preview) sets
its headers first; the hook never overwrites one that is set.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The features a page could ask the browser for; the tracker uses none of them.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
SECRET_KEY_HINT = 'python -c "import secrets; print(secrets.token_hex(32))"'


class InsecureSettings(RuntimeError):
    """A setting production must not start with; the message says how to fix it."""


def init_app(app: Flask) -> None:
    check_secret_key(
        app.config.get("SECRET_KEY"), app.config.get("TRACKER_MIN_SECRET_KEY_BYTES", 0)
    )
    app.after_request(add_security_headers)
    trust_proxies(app, app.config.get("TRACKER_PROXY_COUNT", 0))


def trust_proxies(app: Flask, count: int) -> None:
    """Behind `count` reverse proxies, the client's address and scheme are the ones they
    forward: throttling per address and the audit log would otherwise see only the proxy.
    Zero (the default) trusts no forwarded header, which a client could forge."""
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]


def check_secret_key(secret_key: str | bytes | None, minimum_bytes: int) -> None:
    """Sessions, remember-me tokens and emailed links are signed with the key: a short one
    can be guessed offline from any signed cookie."""
    if not minimum_bytes:
        return
    key = secret_key.encode() if isinstance(secret_key, str) else (secret_key or b"")
    if len(key) < minimum_bytes:
        raise InsecureSettings(
            f"TRACKER_SECRET_KEY is {len(key)} bytes long; production needs at least "
            f"{minimum_bytes}. Generate one with: {SECRET_KEY_HINT}"
        )


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    # For browsers that do not know frame-ancestors.
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # Links leave with no address at all: a task's or a calendar token's URL stays here.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if current_app.config.get("TRACKER_HSTS"):
        headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response
