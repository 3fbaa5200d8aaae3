#!/usr/bin/env python3
"""The xfce-browsers desktop's web front: noVNC's page, the WebSocket proxy to the VNC server (websockify's
own, which forks one process per connection), files through the page and the VM's sound, on one port.

Two ways, chosen by the start script:
- localhost (the port is published on 127.0.0.1 only): plain http; noVNC asks for the VNC password as
  plain websockify did; the page signs in to files and sound with that same password (POST /dockervm/login),
  so the desktop's password guards them too.
- exposed (a certificate given): TLS only (a plain-http request is refused before it is read), a login
  page with the long desktop password, and everything behind the signed session cookie.
In both, failed logins are slowed down for the whole VM.
"""
import hashlib
import hmac
import html
import http.cookies
import json
import logging
import math
import os
import re
import secrets
import select
import ssl
import subprocess
import sys
import time
import urllib.parse

import fcntl
from websockify import websocketproxy

DESKTOP_PASSWORD = "/run/secrets/desktop_password"
VNC_PASSWORD = "/run/secrets/vnc_password"
# Cookies are kept per host name, not per port: each VM's is named after the address it was reached
# at (see cookie_name), or two VMs side by side on 127.0.0.1 would sign each other out.
COOKIE = "dockervm_session"
SESSION_SECONDS = 12 * 3600
LOGIN = "/dockervm/login"
LOGOUT = "/dockervm/logout"
VNC_CREDENTIALS = "/dockervm/vnc"
FILES = "/dockervm/files/"
UPLOAD = "/dockervm/upload/"
FILES_SCRIPT = "/dockervm/files.js"
AUDIO_SCRIPT = "/dockervm/audio.js"
AUDIO = "/dockervm/audio"
# Set in main(): https with a login page, or plain http on the localhost default.
SECURE = False
# Uploads land here; the listing at /dockervm/files/ offers what is here for download.
DOWNLOADS = os.path.join(os.path.expanduser("~"), "Downloads")
UPLOAD_LIMIT = 2048 * 1024 * 1024
SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
# The first failures cost one second each; from then on every failure doubles a wait during which
# no password is even looked at (up to five minutes).
FREE_FAILURES = 3
LONGEST_WAIT = 300
# The sound: the null sink's monitor as raw PCM (s16le, 48000 Hz, 2 channels; why: generators/audio.ts),
# sent in 20 ms messages. parec asks the server for that much buffering and no more.
CHUNK_BYTES = 48000 * 2 * 2 * 20 // 1000
RECORD = ["parec", "--device=dockervm.monitor", "--format=s16le", "--rate=48000", "--channels=2", "--latency-msec=20", "--raw"]
# Made once, before the listener forks: every connection's process signs and checks with it, and a
# restart of this server signs everyone out.
SESSION_KEY = secrets.token_bytes(32)


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


class Failures:
    """Failed logins, counted in a locked file: each connection is its own process."""

    def __init__(self, path):
        self.path = path

    def _update(self, change):
        with open(self.path, "a+", encoding="ascii") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            f.seek(0)
            words = f.read().split()
            count, until = (int(words[0]), float(words[1])) if len(words) == 2 else (0, 0.0)
            result = change(count, until)
            if result is not None:
                f.seek(0)
                f.truncate()
                f.write("%d %f" % result)
                count, until = result
            return count, until

    def wait_left(self):
        return max(0.0, self._update(lambda count, until: None)[1] - time.time())

    def failed(self):
        def more(count, until):
            count += 1
            wait = 0 if count <= FREE_FAILURES else min(2 ** (count - FREE_FAILURES), LONGEST_WAIT)
            return count, time.time() + wait

        return self._update(more)

    def succeeded(self):
        self._update(lambda count, until: (0, 0.0))


def cookie_name(host):
    return COOKIE + "_" + re.sub(r"[^A-Za-z0-9]", "_", host or "")


def sign(expires):
    return hmac.new(SESSION_KEY, str(expires).encode(), hashlib.sha256).hexdigest()


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>xfce-browsers: sign in</title>
<style>body{font:16px system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;margin:0}
form{display:grid;gap:.6em;min-width:18em}input,button{font:inherit;padding:.4em}.note{color:#a00}</style>
</head><body><form method="post" action="/dockervm/login">
<h1>xfce-browsers</h1><label for="password">Desktop password</label>
<input id="password" name="password" type="password" autocomplete="current-password" autofocus required>
<button type="submit">Sign in</button><p class="note" role="alert">%(note)s</p>
</form></body></html>
"""


FILES_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>xfce-browsers: ~/Downloads</title>
<style>body{font:15px system-ui,sans-serif;margin:2em}td{padding:.2em 1em .2em 0}</style></head>
<body><h1>~/Downloads on xfce-browsers</h1><table><tr><th>File</th><th>Bytes</th></tr>%(rows)s</table></body></html>
"""


def inside_downloads(name):
    """The path of `name` in ~/Downloads, or None for anything that is not a plain name there."""
    if name in ("", ".", "..") or "/" in name or "\x00" in name:
        return None
    return os.path.join(DOWNLOADS, name)


def free_name(name):
    """~/Downloads/name, or name (1), name (2)… when taken: an upload never replaces a file."""
    if inside_downloads(name) is None or name.startswith("."):
        return None
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    for n in range(1000):
        candidate = name if n == 0 else ("%s (%d).%s" % (stem, n, ext) if ext else "%s (%d)" % (stem, n))
        path = os.path.join(DOWNLOADS, candidate)
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return path
        except FileExistsError:
            continue
    return None


class DesktopHandler(websocketproxy.ProxyRequestHandler):
    failures = None  # set in main()

    def end_headers(self):
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if SECURE:
            self.send_header("Strict-Transport-Security", "max-age=31536000")
        super().end_headers()

    def route(self):
        return urllib.parse.urlsplit(self.path).path

    def signed_in(self):
        cookies = http.cookies.SimpleCookie()
        try:
            cookies.load(self.headers.get("Cookie", ""))
        except http.cookies.CookieError:
            return False
        morsel = cookies.get(cookie_name(self.headers.get("Host")))
        if morsel is None or "." not in morsel.value:
            return False
        expires, signature = morsel.value.split(".", 1)
        return expires.isdigit() and int(expires) > time.time() and hmac.compare_digest(signature, sign(int(expires)))

    def upgrade(self):
        return self.headers.get("Upgrade", "").lower() == "websocket"

    def same_origin(self):
        # A page of another site may open a WebSocket here (with the user's cookie, or to listen to the
        # sound): refuse it. Browsers always send Origin with a WebSocket; other clients may leave it out
        # on the localhost default (a VNC client through the proxy), never when exposed.
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        if origin is None:
            return not SECURE
        if SECURE:
            return origin == "https://" + host
        # On the localhost default the page may also come through a TLS proxy in front (a fleet's entry
        # point keeps the Host): the same host and port, by http or https.
        return urllib.parse.urlsplit(origin).netloc == host and origin.split(":", 1)[0] in ("http", "https")

    def send_body(self, status, content_type, body, headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def login_page(self, status=200, note="", headers=()):
        self.send_body(status, "text/html; charset=utf-8", LOGIN_PAGE % {"note": html.escape(note)}, headers)

    def redirect(self, where, headers=()):
        self.send_response(303)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def guard(self, private=False):
        """True when the request may go on: to noVNC's page and proxy (on localhost the VNC password
        guards those), or, `private`, to files, sound and credentials (signed in, always)."""
        if not SECURE and not private:
            if self.upgrade() and not self.same_origin():
                self.send_error(403, "Cross-site WebSocket refused")
                return False
            return True
        if self.signed_in():
            if self.upgrade() and not self.same_origin():
                self.send_error(403, "Cross-site WebSocket refused")
                return False
            return True
        if self.upgrade() or not SECURE:
            self.send_error(401, "Sign in first")
        else:
            self.redirect(LOGIN)
        return False

    def handle_upgrade(self):
        # websockify routes a WebSocket request here, around do_GET: the same checks are made here.
        if not self.guard(private=self.route() == AUDIO):
            return None
        return super().handle_upgrade()

    def new_websocket_client(self):
        if self.route() == AUDIO:
            return self.stream_audio()
        return super().new_websocket_client()

    def stream_audio(self):
        """The sink's monitor to the page, one binary message per chunk, until either side closes."""
        recorder = subprocess.Popen(RECORD, stdout=subprocess.PIPE, bufsize=0)
        silence = bytes(CHUNK_BYTES)
        pending = b""
        self.log_message("sound: streaming to the page")
        try:
            while True:
                ready = select.select([self.request, recorder.stdout], [], [], 5)[0]
                if self.request in ready:
                    _, closed = self.recv_frames()
                    if closed:
                        return None
                if recorder.stdout in ready:
                    data = os.read(recorder.stdout.fileno(), 4 * CHUNK_BYTES)
                    if not data:
                        raise self.CClose(1011, "The sound server stopped")
                    pending += data
                    while len(pending) >= CHUNK_BYTES:
                        chunk, pending = pending[:CHUNK_BYTES], pending[CHUNK_BYTES:]
                        # Silence is not sent: nothing goes over the network while nothing plays (the
                        # page's buffer runs dry and starts afresh with the next sound).
                        if chunk != silence:
                            self.send_frames([chunk])
        finally:
            recorder.terminate()
            recorder.wait()
            self.log_message("sound: stopped")

    def do_GET(self):
        route = self.route()
        if route == LOGIN:
            return self.login_page() if SECURE else self.send_error(404)
        if not self.guard(private=route.startswith(FILES) or route == VNC_CREDENTIALS):
            return None
        if route in (FILES_SCRIPT, AUDIO_SCRIPT):
            return self.script(route)
        if route.startswith(FILES):
            return self.download(urllib.parse.unquote(route[len(FILES):]))
        if route == "/vnc.html":
            return self.vnc_page()
        if route == VNC_CREDENTIALS and SECURE:
            # The VNC server's own (8-character) password, for the signed-in page to hand to noVNC.
            return self.send_body(200, "application/json", json.dumps({"password": read_secret(VNC_PASSWORD)}))
        return super().do_GET()

    def do_HEAD(self):
        if (self.route() == LOGIN and SECURE) or self.guard(private=self.route().startswith(FILES)):
            return super().do_HEAD()
        return None

    def do_POST(self):
        route = self.route()
        if route == LOGIN:
            return self.login()
        if route.startswith(UPLOAD):
            if not self.guard(private=True):
                return None
            return self.upload(urllib.parse.unquote(route[len(UPLOAD):]))
        if route == LOGOUT:
            return self.redirect("/" if not SECURE else LOGIN, [("Set-Cookie", self.cookie("", 0))])
        return self.send_error(404)

    def cookie(self, value, max_age):
        attributes = "Path=/; Max-Age=%d; HttpOnly; SameSite=Strict" % max_age
        return "%s=%s; %s%s" % (cookie_name(self.headers.get("Host")), value, attributes, "; Secure" if SECURE else "")

    def script(self, route):
        name = "desktop-files.js" if route == FILES_SCRIPT else "desktop-audio.js"
        try:
            with open(os.path.join(SCRIPT_DIR, name), encoding="utf-8") as f:
                return self.send_body(200, "text/javascript; charset=utf-8", f.read())
        except FileNotFoundError:
            return self.send_error(404)

    def vnc_page(self):
        # noVNC's page, with the scripts of the panel: dropped files, the folder listing, the sound.
        with open(os.path.join(self.server.web, "vnc.html"), encoding="utf-8") as f:
            page = f.read()
        tags = '<script src="dockervm/files.js" defer></script>'
        tags += '<script src="dockervm/audio.js" defer></script>'
        self.send_body(200, "text/html; charset=utf-8", page.replace("</body>", tags + "</body>", 1))

    def download(self, name):
        if name == "":
            return self.listing()
        path = inside_downloads(name)
        if path is None or not os.path.isfile(path):
            return self.send_error(404, "No such file in ~/Downloads")
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.send_header("Content-Disposition", "attachment; filename*=UTF-8''" + urllib.parse.quote(name))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                self.wfile.write(chunk)
        return None

    def listing(self):
        os.makedirs(DOWNLOADS, exist_ok=True)
        rows = []
        for entry in sorted(os.scandir(DOWNLOADS), key=lambda e: e.name):
            if entry.is_file() and not entry.name.startswith("."):
                link = urllib.parse.quote(entry.name)
                rows.append('<tr><td><a href="%s" download>%s</a></td><td>%d</td></tr>' % (link, html.escape(entry.name), entry.stat().st_size))
        body = FILES_PAGE % {"rows": "".join(rows) or '<tr><td colspan="2">No files yet: drop some on the desktop.</td></tr>'}
        self.send_body(200, "text/html; charset=utf-8", body)

    def upload(self, name):
        # A plain HTML form of another site cannot set this header (and SameSite keeps the cookie home).
        if self.headers.get("X-Dockervm-Upload") != "1":
            return self.send_error(403, "Uploads come from the desktop page")
        name = os.path.basename(name)
        length = self.headers.get("Content-Length")
        if not length or not length.isdigit():
            return self.send_error(411, "Content-Length required")
        if int(length) > UPLOAD_LIMIT:
            return self.send_error(413, "Larger than the upload limit (%d MB)" % (UPLOAD_LIMIT >> 20))
        os.makedirs(DOWNLOADS, exist_ok=True)
        target = free_name(name)
        if target is None:
            return self.send_error(400, "Not a file name")
        partial = os.path.join(DOWNLOADS, ".%s.part" % os.path.basename(target))
        left = int(length)
        try:
            with open(partial, "wb") as f:
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 20))
                    if not chunk:
                        raise ConnectionError("upload cut short")
                    f.write(chunk)
                    left -= len(chunk)
            os.rename(partial, target)
        except OSError as error:
            for leftover in (partial, target):
                if os.path.exists(leftover):
                    os.remove(leftover)
            return self.send_error(500, "Upload failed: %s" % error)
        self.log_message("upload: %s (%s bytes)", os.path.basename(target), length)
        return self.send_body(201, "application/json", json.dumps({"name": os.path.basename(target), "size": int(length)}))

    def login(self):
        wait = self.failures.wait_left()
        if wait > 0:
            # Not even looked at: a guess during the wait costs the guesser, never the wait.
            seconds = math.ceil(wait)
            note = "Too many wrong passwords: try again in %d s." % seconds
            if not SECURE:
                return self.send_body(429, "text/plain; charset=utf-8", note, [("Retry-After", str(seconds))])
            return self.login_page(429, note, [("Retry-After", str(seconds))])
        length = int(self.headers.get("Content-Length") or 0)
        if length > 4096:
            return self.send_error(413)
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        given = (fields.get("password") or [""])[0]
        # Exposed: the long desktop password; on localhost the desktop's own (VNC's), which the page has.
        expected = read_secret(DESKTOP_PASSWORD if SECURE else VNC_PASSWORD)
        if hmac.compare_digest(given.encode(), expected.encode()):
            self.failures.succeeded()
            expires = int(time.time()) + SESSION_SECONDS
            cookie = self.cookie("%d.%s" % (expires, sign(expires)), SESSION_SECONDS)
            self.log_message("sign-in accepted")
            if not SECURE:
                return self.send_body(204, "text/plain", "", [("Set-Cookie", cookie)])
            return self.redirect("/", [("Set-Cookie", cookie)])
        count, _ = self.failures.failed()
        self.log_message("wrong %s password (%d in a row)", "desktop" if SECURE else "VNC", count)
        time.sleep(1)
        if not SECURE:
            return self.send_body(401, "text/plain; charset=utf-8", "Wrong password.")
        return self.login_page(401, "Wrong password.")


def main():
    global SECURE
    # PORT VNC_PORT WEB STATE [CERT KEY]: with a certificate, https only and the login page.
    port, target_port, web, state = sys.argv[1:5]
    cert, key = (sys.argv[5:7] + [None, None])[:2]
    SECURE = cert is not None
    logging.basicConfig(level=logging.INFO, format="desktop-web: %(message)s")
    os.makedirs(state, mode=0o700, exist_ok=True)
    DesktopHandler.failures = Failures(os.path.join(state, "failed-logins"))
    tls = {}
    if SECURE:
        # TLS 1.2 and newer only.
        options = ssl.OP_ALL | ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3 | ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
        tls = {"cert": cert, "key": key, "ssl_only": True, "ssl_options": options}
    server = websocketproxy.WebSocketProxy(
        RequestHandlerClass=DesktopHandler,
        listen_host="",
        listen_port=int(port),
        target_host="localhost",
        target_port=int(target_port),
        web=web,
        file_only=True,
        **tls,
    )
    server.start_server()


if __name__ == "__main__":
    main()
