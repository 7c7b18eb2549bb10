"""playbooks/rollback.yml on the scaled-out stack, after test_cluster.py's
deploys: under load through lb-01 it fails no request and brings back the
previous release on every web host, on the packages it was deployed with;
a rollback to the live release changes nothing, a bad one nothing either."""
import json
import time

import pytest
from conftest import Load, run_playbook
from stacktest import (
    INSTANCE_MODULES,
    STACK_INSTANCES,
    changed_copy_of_the_app,
    changed_tasks,
    gunicorn_processes,
    release_note,
    requester,
)
from test_cluster import (
    PACKAGE,
    PACKAGE_VERSION,
    ROLLED_OUT,
    ROUTES,
    WEB,
    drained,
    release_package,
    servers,
    virtualenvs,
    with_package_route,
)

# The tests run on lb-01 and reach the other hosts through ``cluster``.
testinfra_hosts = ["ansible://lb-01"]

ON_OTHER_PACKAGES = "deployed on other packages by the cluster scenario"
ROLLBACK_PLAY = "PLAY [Web servers, in batches when they change - roll back]"
ROOT = "/srv/airbnb"


@pytest.fixture(scope="module")
def app_on_other_packages(tmp_path_factory):
    """A release whose requirements.txt adds a package the others lack."""
    source = with_package_route(changed_copy_of_the_app(tmp_path_factory.mktemp("other"), ON_OTHER_PACKAGES))
    requirements = source / "requirements.txt"
    requirements.write_text(requirements.read_text() + "{}=={}\n".format(PACKAGE, PACKAGE_VERSION))
    return source


def live(cluster):
    """{web host: the live release's id}."""
    return {name: cluster[name].check_output("readlink -f %s/current", ROOT).rsplit("/", 1)[1]
            for name in WEB}


def rollback(*args):
    started = time.monotonic()
    result, recap = run_playbook("playbooks/rollback.yml", *args)
    print("rollback.yml {}: rc {}, {:.0f} s, recap {}".format(
        " ".join(args), result.returncode, time.monotonic() - started, json.dumps(recap)))
    return result, recap


def test_rollback_under_load_serves_the_previous_release_on_its_own_packages(
        host, cluster, app_on_other_packages):
    previous = live(cluster)
    result, _ = run_playbook("site.yml", "-e", "airbnb_app_src_path={}".format(app_on_other_packages))
    assert result.returncode == 0, result.stdout[-3000:]
    for name in WEB:
        assert len(virtualenvs(cluster[name])) == 2
        for instance in STACK_INSTANCES:
            assert release_note(cluster[name], instance) == ON_OTHER_PACKAGES, (name, instance)
            assert release_package(cluster[name], instance) == PACKAGE_VERSION, (name, instance)

    # --check tells, and changes nothing.
    deployed = live(cluster)
    result, recap = rollback("--check")
    assert result.returncode == 0, result.stdout[-3000:]
    assert all(recap[name]["changed"] > 0 for name in WEB)
    assert live(cluster) == deployed and servers(host) == {name: ("UP", "L7OK") for name in WEB}

    load = Load(host, ROUTES)
    result, recap = rollback()
    figures = load.stop()
    print("rollback across a change of requirements through lb-01: requests sent {sent}, failed {failed}, "
          "slowest {slowest} s, over {seconds} s, statuses {statuses}".format(**figures))
    assert result.returncode == 0, result.stdout[-3000:]
    assert live(cluster) == previous
    for name in WEB:
        assert recap[name]["changed"] > 0
        # The old code, on its old packages, from every instance.
        for instance in STACK_INSTANCES:
            assert release_note(cluster[name], instance) == ROLLED_OUT, (name, instance)
            assert release_package(cluster[name], instance) == "absent", (name, instance)
    # As a deploy: one web host at a time, each drained, back once healthy.
    assert result.stdout.count(ROLLBACK_PLAY) == len(WEB)
    assert drained(result.stdout) == WEB
    assert figures["sent"] >= 100
    assert figures["failed"] == 0, figures["errors"]
    assert servers(host) == {name: ("UP", "L7OK") for name in WEB}


def test_a_second_rollback_goes_one_release_further_back_with_new_workers_only(host, cluster):
    # The release before the live one in the order they were deployed: the
    # scenario's first, which has no /release-note, on the same packages.
    history = cluster["web-01"].check_output("cat %s/deploy-history", ROOT).split()
    current = live(cluster)["web-01"]
    expected = history[len(history) - 1 - history[::-1].index(current) - 1]
    masters = {name: {instance: gunicorn_processes(cluster[name], instance)[0]
                      for instance in STACK_INSTANCES} for name in WEB}
    load = Load(host, ROUTES)
    result, recap = rollback()
    figures = load.stop()
    print("second rollback through lb-01: requests sent {sent}, failed {failed}, "
          "statuses {statuses}".format(**figures))
    assert result.returncode == 0, result.stdout[-3000:]
    assert live(cluster) == {name: expected for name in WEB}
    for name in WEB:
        for instance in STACK_INSTANCES:
            assert requester(cluster[name])("/release-note", port=INSTANCE_MODULES[instance][1]).status == 404
            # Same packages: a graceful reload, the masters kept.
            assert gunicorn_processes(cluster[name], instance)[0] == masters[name][instance], (name, instance)
    assert drained(result.stdout) == WEB
    assert figures["failed"] == 0, figures["errors"]


def test_a_rollback_to_the_live_release_changes_nothing(cluster):
    result, recap = rollback("-e", "rollback_to={}".format(live(cluster)["web-01"]))
    assert result.returncode == 0, result.stdout[-3000:]
    assert all(recap[name]["changed"] == 0 for name in WEB), changed_tasks(result.stdout)
    assert drained(result.stdout) == []


@pytest.mark.parametrize("value, message", [
    ("0123456789ab", "rollback_to: release 0123456789ab does not exist on web-01"),
    ("../releases", "rollback_to (airbnb_app_rollback_to) must be a release id"),
])
def test_a_bad_rollback_to_stops_before_any_change(host, cluster, value, message):
    before = live(cluster)
    result, recap = rollback("-e", "rollback_to={}".format(value))
    assert result.returncode != 0
    assert message in " ".join((result.stdout + result.stderr).split()), result.stdout[-3000:]
    assert all(recap[name]["changed"] == 0 for name in WEB)
    assert ROLLBACK_PLAY not in result.stdout and drained(result.stdout) == []
    assert live(cluster) == before
    assert servers(host) == {name: ("UP", "L7OK") for name in WEB}
