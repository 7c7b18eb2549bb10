"""One TLS connection, made *inside* a test host with its own python3, its
outcome printed as JSON: the protocol, ALPN and cipher agreed, the
certificate's issuer and names, and, when a path is given, one HTTP/1.1
answer (status and headers).  It trusts only the CA file it is given and sends
the name it is given (SNI and Host), as a browser would.

    python3 tls_probe.py '{"ca": FILE, "name": NAME, "port": 443,
                           "path": "/x" | null, "version": "TLSv1_1" | null}'

With "version", the client offers that protocol only, and its own security
level is lowered, so that a refusal comes from the server's settings.
"""
import json
import socket
import ssl
import sys


def probe(req):
    context = ssl.create_default_context(cafile=req["ca"])
    # HTTP/2 is only negotiated; a request is sent as HTTP/1.1.
    context.set_alpn_protocols(["http/1.1"] if req.get("path") else ["h2", "http/1.1"])
    if req.get("version"):
        version = getattr(ssl.TLSVersion, req["version"])
        context.minimum_version = context.maximum_version = version
        context.set_ciphers("ALL:@SECLEVEL=0")
    out = {}
    try:
        with socket.create_connection(("127.0.0.1", req.get("port", 443)), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=req["name"]) as tls:
                cert = tls.getpeercert()
                out.update(version=tls.version(), alpn=tls.selected_alpn_protocol(), cipher=tls.cipher()[0],
                           issuer=dict(pair[0] for pair in cert["issuer"]),
                           names=[value for _, value in cert.get("subjectAltName", ())])
                if req.get("path"):
                    out.update(request(tls, req["path"], req["name"]))
    except (OSError, ssl.SSLError) as exc:
        out["error"] = repr(exc)
    return out


def request(tls, path, name):
    tls.sendall("GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n".format(path, name).encode())
    data = b""
    while chunk := tls.recv(65536):
        data += chunk
    head, _, body = data.decode("utf-8", "replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    return {"status": int(lines[0].split()[1]), "body": body,
            "headers": {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}}


if __name__ == "__main__":
    print(json.dumps(probe(json.loads(sys.argv[1]))))
