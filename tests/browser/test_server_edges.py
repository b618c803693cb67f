"""Attacks on the running server itself (issue 15), no browser needed.

Against a real ``streamlit run app.py`` with the project's ``.streamlit/config.toml``
(XSRF protection and CORS on):

* a WebSocket handshake from a foreign ``Origin`` (a page on another site trying to
  drive a session) is refused, while the app's own origin is accepted;
* an upload ``PUT`` to ``/_stcore/upload_file/…`` without the XSRF token, or with a
  wrong one, gets 403; with the right token it gets past that check (400 for the
  made-up session), so the 403 is the XSRF check's.
"""

from __future__ import annotations

import http.client
import urllib.parse
import uuid
from http.cookies import SimpleCookie

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.browser.conftest import AppServer

pytestmark = pytest.mark.browser

XSRF_COOKIE = "_streamlit_xsrf"


def _stream_url(server: AppServer) -> str:
    return server.url.replace("http://", "ws://") + "/_stcore/stream"


def _handshake(server: AppServer, origin: str) -> int:
    """The HTTP status of a WebSocket handshake with this ``Origin`` (101 = accepted)."""
    try:
        with connect(
            _stream_url(server), origin=origin, subprotocols=["streamlit"], open_timeout=20
        ) as ws:
            return ws.response.status_code
    except InvalidStatus as refused:
        return refused.response.status_code


def test_a_websocket_from_a_foreign_origin_is_refused(app_server: AppServer):
    assert _handshake(app_server, app_server.url) == 101  # control: the app's own page
    for foreign in ("https://evil.example", "http://ztr.example.gov.cn.evil.example", "null"):
        assert _handshake(app_server, foreign) == 403, foreign


def _connection(server: AppServer) -> http.client.HTTPConnection:
    address = urllib.parse.urlsplit(server.url)
    return http.client.HTTPConnection(address.hostname, address.port, timeout=20)


def _xsrf_cookie(server: AppServer) -> str:
    """A fresh XSRF cookie, as the app's page gets it (from the health check it polls)."""
    con = _connection(server)
    try:
        con.request("GET", "/_stcore/health")
        response = con.getresponse()
        response.read()
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
    finally:
        con.close()
    assert XSRF_COOKIE in cookie, "the app sets no XSRF cookie"
    return cookie[XSRF_COOKIE].value


def _upload(server: AppServer, headers: dict[str, str]) -> int:
    """PUT a small file to the upload endpoint; the response status."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n"
    ).encode()
    con = _connection(server)
    try:
        con.request(
            "PUT",
            f"/_stcore/upload_file/{uuid.uuid4()}/{uuid.uuid4()}",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", **headers},
        )
        response = con.getresponse()
        response.read()
        return response.status
    finally:
        con.close()


def test_an_upload_without_the_xsrf_token_is_refused(app_server: AppServer):
    token = _xsrf_cookie(app_server)
    cookie = f"{XSRF_COOKIE}={token}"
    assert _upload(app_server, {}) == 403  # neither cookie nor header
    assert _upload(app_server, {"Cookie": cookie}) == 403  # a cross-site form: cookie only
    assert _upload(app_server, {"X-Xsrftoken": token}) == 403  # header without its cookie
    other = _xsrf_cookie(app_server)
    assert _upload(app_server, {"Cookie": cookie, "X-Xsrftoken": other}) == 403
    # Control: with the matching token the request passes the XSRF check and fails
    # only on the made-up session.
    assert _upload(app_server, {"Cookie": cookie, "X-Xsrftoken": token}) == 400
