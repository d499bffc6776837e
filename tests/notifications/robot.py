"""A loopback stand-in for a 企业微信/钉钉 group robot: records each JSON message posted to it."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        self.server.messages.append({'path': self.path, 'content_type': self.headers.get('Content-Type'),
                                     'json': json.loads(body.decode('utf-8'))})
        answer = json.dumps({'errcode': self.server.errcode, 'errmsg': 'ok' if not self.server.errcode else 'bad'})
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


class Robot:
    """Start with `with Robot() as robot:`; `robot.url` is its webhook address, `robot.messages` what it got."""

    def __init__(self, errcode: int = 0) -> None:
        self.server = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.server.messages = []
        self.server.errcode = errcode
        self.url = f'http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test'

    @property
    def messages(self) -> list[dict]:
        return self.server.messages

    def __enter__(self) -> Robot:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
