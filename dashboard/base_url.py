"""Tell the page where the server's root is, so a page opened at its own address asks nothing that fails.

Streamlit bug #7074 (github.com/streamlit/streamlit/issues/7074): the frontend does not know the server's
base path. Opened at a sub-address (`/session?id=…`) it first probes `/session/_stcore/health` and
`/session/_stcore/host-config`, takes the 404s (two console errors) and only then tries the root.

Answering those two addresses with a 200 is no fix: the frontend then takes `/session` for the base path, so
the page name it sends is empty and every sub-address opens the overview (measured in chromium with
Streamlit 1.67). What the frontend does read is `window.__streamlit.BACKEND_BASE_URL`, its hook for
hosts that embed Streamlit: when set to the root, the root is the only address it probes. `BackendBaseUrl`
writes that one line into the page document as the server sends it; Streamlit's installed files are left
as they are.
"""

from __future__ import annotations

import json

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: First path segments of Streamlit's own routes (`/_stcore/…`, `/media/…`, `/component/…`, `/static/…`,
#: `/app/static/…`); every other address is a page, answered with the page document.
STREAMLIT_ROUTES = frozenset({"_stcore", "media", "component", "static", "app"})

#: Request headers dropped for a page address: the document must come back whole and uncompressed (Streamlit
#: already serves `/` uncompressed; it would gzip `/session`), and not as a 304 for a copy the browser kept
#: from before this script was added.
_PAGE_REQUEST_DROP = frozenset({b"accept-encoding", b"if-none-match", b"if-modified-since"})


def base_path(configured: str | None) -> str:
    """The server's root path, `/` or `/<server.baseUrlPath>/`."""
    inner = (configured or "").strip("/")
    return f"/{inner}/" if inner else "/"


def script(root: str) -> bytes:
    """The `<script>` that sets BACKEND_BASE_URL to the root on this page's own origin."""
    literal = json.dumps(root).replace("<", "\\u003c")  # never a `</script>` inside
    return (
        f"<script>window.__streamlit = {{BACKEND_BASE_URL: new URL({literal}, window.location.origin).href}};"
        "</script>"
    ).encode()


def is_page(path: str, root: str) -> bool:
    """Whether `path` is a page address (answered with the page document), not one of Streamlit's routes."""
    if not path.startswith(root) and path != root.rstrip("/"):
        return False
    first = path[len(root) :].split("/", 1)[0]
    return first not in STREAMLIT_ROUTES


def with_script(body: bytes, tag: bytes) -> bytes | None:
    """`body` with `tag` right after `<head>` (before Streamlit's module script runs), or None without one."""
    at = body.find(b"<head>")
    if at < 0:
        return None
    end = at + len(b"<head>")
    return body[:end] + tag + body[end:]


class BackendBaseUrl:
    """ASGI middleware: a GET of a page address gets the BACKEND_BASE_URL script in its document; every other
    request (Streamlit's routes, the websocket, HEAD) passes as it is."""

    def __init__(self, app: ASGIApp, configured_base: str | None = None) -> None:
        self.app = app
        if configured_base is None:
            from streamlit import config  # read when the server builds its app, after the flags are loaded

            configured_base = config.get_option("server.baseUrlPath")
        self.root = base_path(configured_base)
        self.tag = script(self.root)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not is_page(scope["path"], self.root):
            await self.app(scope, receive, send)
            return
        headers = [(name, value) for name, value in scope["headers"] if name not in _PAGE_REQUEST_DROP]
        # the body must pass through here: no "send this file yourself" (ASGI pathsend) to a server offering it
        extensions = {k: v for k, v in scope.get("extensions", {}).items() if k != "http.response.pathsend"}
        page_scope = {**scope, "headers": headers, "extensions": extensions}
        await self.app(page_scope, receive, _Rewriter(send, self.tag).send)


class _Rewriter:
    """Holds back an HTML answer until its body is complete, then sends it with the script in it."""

    def __init__(self, send: Send, tag: bytes) -> None:
        self._send = send
        self._tag = tag
        self._start: Message | None = None
        self._body: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            message.setdefault("headers", [])
            headers = MutableHeaders(scope=message)
            html = headers.get("content-type", "").startswith("text/html")
            if message["status"] == 200 and html and "content-encoding" not in headers:
                self._start = message
                return
        elif message["type"] == "http.response.body" and self._start is not None:
            self._body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            await self._finish(self._start)
            return
        await self._send(message)

    async def _finish(self, start: Message) -> None:
        original = b"".join(self._body)
        body = with_script(original, self._tag)
        headers = MutableHeaders(scope=start)
        if body is None:
            body = original
        else:
            # the validators described the file on disk, not this document
            for name in ("etag", "last-modified"):
                if name in headers:
                    del headers[name]
        headers["content-length"] = str(len(body))
        await self._send(start)
        await self._send({"type": "http.response.body", "body": body, "more_body": False})
