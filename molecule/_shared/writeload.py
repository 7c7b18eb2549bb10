"""A bounded write load, run *inside* a test host with its own python3, that
keeps what the server acknowledged.  Threads POST a new state each to the
given URL until a stop file appears or a time or request limit is hit, then
write the figures as JSON: every acknowledged write as [id, name, when]
(host clock, when its 201 arrived), the failures, and "overlapping", the
requests under way at some moment of the window the stop file holds
("<began> <ended>").  The same command line as loadgen.py:

    python3 writeload.py OUT STOP THREADS MAX_SECONDS MAX_REQUESTS URL

A write counts as failed unless it answers 201 within 15 s.  Each thread
pauses 20 ms between requests (see loadgen.py).
"""
import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

UNVERIFIED = ssl._create_unverified_context()


def main(out, stop, threads, max_seconds, max_requests, url):
    threads, max_requests = int(threads), int(max_requests)
    deadline = time.monotonic() + float(max_seconds)
    figures = {"sent": 0, "failed": 0, "statuses": {}, "errors": [], "acknowledged": []}
    spans = []
    lock = threading.Lock()

    def client(number):
        while time.monotonic() < deadline and not os.path.exists(stop):
            with lock:
                if figures["sent"] >= max_requests:
                    return
                figures["sent"] += 1
            name = "write-{}-{}".format(number, uuid.uuid4().hex[:12])
            request = urllib.request.Request(url, method="POST", data=json.dumps({"name": name}).encode(),
                                             headers={"Content-Type": "application/json"})
            began = time.time()
            acknowledged, error = None, None
            try:
                answer = urllib.request.urlopen(request, timeout=15, context=UNVERIFIED)
                status = answer.status
                body = json.loads(answer.read())
                if status == 201 and body.get("name") == name:
                    acknowledged = [body["id"], name, time.time()]
                else:
                    error = "{} {!r}".format(status, body)
            except urllib.error.HTTPError as exc:
                status, error = exc.code, "{} {}".format(exc.code, exc.read()[:200])
            except Exception as exc:  # a refused or reset connection is a failure too
                status, error = "error", repr(exc)
            ended = time.time()
            time.sleep(0.02)
            with lock:
                spans.append((began, ended))
                figures["statuses"][str(status)] = figures["statuses"].get(str(status), 0) + 1
                if acknowledged:
                    figures["acknowledged"].append(acknowledged)
                else:
                    figures["failed"] += 1
                    if len(figures["errors"]) < 10:
                        figures["errors"].append(error)

    started = time.monotonic()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["overlapping"] = None
    try:
        with open(stop) as handle:
            window = [float(value) for value in handle.read().split()]
    except (OSError, ValueError):
        window = []
    if len(window) == 2:
        figures["overlapping"] = sum(1 for start, end in spans if start <= window[1] and end >= window[0])
    with open(out + ".tmp", "w") as handle:
        json.dump(figures, handle)
    os.rename(out + ".tmp", out)


if __name__ == "__main__":
    main(*sys.argv[1:])
