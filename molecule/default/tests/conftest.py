"""Helpers for checking the stack from inside each test host, as an operator
would with curl (the hosts have python3, not curl)."""
import json
import time

import pytest

# Sent to the host's python3: one HTTP request, the answer as JSON.
_REQUEST = r"""
import json, sys, urllib.request, urllib.error
method, url, body, ctype = sys.argv[1:5]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
if ctype:
    req.add_header("Content-Type", ctype)
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None
opener = urllib.request.build_opener(NoRedirect)
try:
    r = opener.open(req, timeout=10)
    status, headers, data = r.status, dict(r.headers), r.read()
except urllib.error.HTTPError as e:
    status, headers, data = e.code, dict(e.headers), e.read()
print(json.dumps({"status": status, "headers": headers, "body": data.decode("utf-8", "replace")}))
"""


class Response:
    def __init__(self, raw):
        self.status = raw["status"]
        self.headers = {k.lower(): v for k, v in raw["headers"].items()}
        self.text = raw["body"]

    def json(self):
        return json.loads(self.text)


@pytest.fixture
def http(host):
    def request(path, method="GET", body=None, content_type=None, port=80):
        if body is not None and not isinstance(body, str):
            body, content_type = json.dumps(body), content_type or "application/json"
        out = host.check_output("python3 -c %s %s %s %s %s", _REQUEST, method,
                                "http://127.0.0.1:{}{}".format(port, path),
                                body or "", content_type or "")
        return Response(json.loads(out))
    return request


def wait_until(check, timeout=20.0, step=0.2):
    """Poll ``check`` until it returns a truthy value or the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)
