"""Pure ASGI middleware (next to no cost per request): security headers and a body size limit."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# plotly.js injects <style> elements at run time; without 'unsafe-inline' in style-src its legend
# and mode bar lose their styling (PRODUCT.md section 3). Scripts stay strictly 'self'.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


NO_STORE = (b"cache-control", b"no-store")
# Static files may be cached; everything else (pages, the API, exports) names people or results.
CACHEABLE_PREFIXES = ("/static/",)


class SecurityHeadersMiddleware:
    """Adds the headers above to every HTTP response, and `Cache-Control: no-store`.

    No-store goes on every response outside /static/ that does not set its own Cache-Control
    (only the versioned plotly.js does): no shared computer keeps a results page, an admin page,
    an API answer or an export in its cache.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        cacheable = scope["path"].startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + HEADERS
                if not cacheable and not any(name == b"cache-control" for name, _ in headers):
                    headers.append(NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


TOO_LARGE_PAGE = (
    '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>For meget data</title>'
    '<link rel="stylesheet" href="/static/style.css"></head><body><main><h1>For meget data</h1>'
    "<p>Forespørgslen var større, end Spindelvæv tager imod. Intet er gemt.</p>"
    '<p><a href="/">Gå til forsiden</a></p></main></body></html>'
).encode()


class ContentLengthLimitMiddleware:
    """Refuses a declared body over the limit with a Danish 413 before reading any of it.

    Bodies without a Content-Length are still cut off by FastAPI's own `max_body_size`.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = dict(scope["headers"]).get(b"content-length", b"0")
            if not declared.isdigit() or int(declared) > self.max_bytes:
                await self._refuse(scope, send)
                return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        wants_json = scope["path"].startswith("/api/")
        body = b'{"detail": "For meget data."}' if wants_json else TOO_LARGE_PAGE
        kind = b"application/json" if wants_json else b"text/html; charset=utf-8"
        headers = [
            (b"content-type", kind),
            (b"content-length", str(len(body)).encode()),
            NO_STORE,
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
