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


@pytest.fixture(scope="module")
def cluster(request):
    """Every host of the scenario but acme-01, by name."""
    inventory = request.config.option.ansible_inventory
    return {name: testinfra.get_host("ansible://{}?ansible_inventory={}".format(name, inventory))
            for name in ["lb-01", "web-01", "web-02", "db-01"]}
