"""Test upstream for the nginx role on 127.0.0.1:8081.

Every request is answered with JSON holding the method, the path and the headers it
arrived with, and the size of its body. A path containing "frame-deny" also gets the
application's own X-Frame-Options: DENY.
"""

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        payload = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {key.lower(): value for key, value in self.headers.items()},
                "body_length": len(body),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if "frame-deny" in self.path:
            self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", 8081), Echo).serve_forever()
