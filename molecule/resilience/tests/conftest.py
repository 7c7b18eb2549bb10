"""The stack scenarios share their helpers: molecule/_shared/stacktest.py."""
import sys
from pathlib import Path

import pytest
import testinfra

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "_shared"))

from stacktest import (  # noqa: E402,F401  (fixtures and helpers)
    Load,
    gunicorn_processes,
    http,
    run_playbook,
    wait_for_new_workers,
    wait_until,
)

# A fresh host for restores, and the off-host store of the stack's backups.
DR_HOST = "resilience-dr"


@pytest.fixture(scope="module")
def dr_host(request):
    inventory = request.config.option.ansible_inventory
    return testinfra.get_host("ansible://{}?ansible_inventory={}".format(DR_HOST, inventory))
