"""A bounded HTTP load, run *inside* a test host with its own python3 (the
hosts have no curl or load tool).  Threads send GET requests round-robin over
the given URLs until a stop file appears or a time or request limit is hit,
then write the figures as JSON.  The stop file holds the action's window
("<began> <ended>", host clock): "overlapping" counts the requests that were
under way at some moment of it.

    python3 loadgen.py OUT STOP THREADS MAX_SECONDS MAX_REQUESTS URL...

A request counts as failed unless it answers 200 within 15 s.  Each thread
pauses 20 ms between requests: on a 2-core machine an unpaced load would starve
the deployment it is meant to watch.
"""
import json
import os
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request

# Loopback load on the site's own https: the certificate is not what it tests.
UNVERIFIED = ssl._create_unverified_context()


def main(out, stop, threads, max_seconds, max_requests, *urls):
    threads, max_requests = int(threads), int(max_requests)
    deadline = time.monotonic() + float(max_seconds)
    figures = {"sent": 0, "failed": 0, "statuses": {}, "errors": [], "slowest": 0.0}
    spans = []  # (start, end) of each request, wall clock
    lock = threading.Lock()

    def client(offset):
        index = offset
        while time.monotonic() < deadline and not os.path.exists(stop):
            with lock:
                if figures["sent"] >= max_requests:
                    return
                figures["sent"] += 1
            url = urls[index % len(urls)]
            index += 1
            started, began = time.monotonic(), time.time()
            try:
                status = urllib.request.urlopen(url, timeout=15, context=UNVERIFIED).status
                error = None
            except urllib.error.HTTPError as exc:
                status, error = exc.code, "{} {}".format(exc.code, url)
            except Exception as exc:  # a refused or reset connection is a failure too
                status, error = "error", "{!r} {}".format(exc, url)
            elapsed = time.monotonic() - started
            time.sleep(0.02)
            with lock:
                spans.append((began, began + elapsed))
                figures["statuses"][str(status)] = figures["statuses"].get(str(status), 0) + 1
                figures["slowest"] = max(figures["slowest"], round(elapsed, 3))
                if status != 200:
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
