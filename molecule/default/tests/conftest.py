"""The stack scenarios share their helpers: molecule/_shared/stacktest.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))

from stacktest import (  # noqa: E402,F401  (fixtures and helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    LOOPBACK,
    Load,
    browser_site,
    gunicorn_processes,
    http,
    tcp_listeners,
    wait_for_new_workers,
    wait_until,
)
