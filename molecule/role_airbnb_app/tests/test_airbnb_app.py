"""The airbnb_app role alone: a release from git, its venv, settings, data."""
import json

ROOT = "/srv/airbnb"


def test_current_points_at_the_commit_release(host):
    # The release is named after the commit and the build settings; its
    # marker says which release it is and which commit it was built from.
    commit = host.check_output("git -C /srv/source/repo rev-parse HEAD")
    current = host.file(ROOT + "/current")
    assert current.is_symlink
    release = current.linked_to.rsplit("/", 1)[1]
    assert current.linked_to == "{}/releases/{}".format(ROOT, release) and len(release) == 12
    marker = host.file(ROOT + "/current/.complete").content_string.split()
    assert marker == [release, commit]


def test_code_is_root_owned_and_read_only_for_the_app(host):
    models = host.file(ROOT + "/current/models/__init__.py")
    assert models.user == "root" and models.mode == 0o644
    assert host.run("runuser -u airbnb -- touch %s/current/x", ROOT).rc != 0


def test_release_has_no_tests_but_everything_else(host):
    # The source has them (prepare.yml commits app/ whole) ...
    assert host.file("/srv/source/repo/app/tests/test_api.py").exists
    # ... the deployed release not.
    assert not host.file(ROOT + "/current/tests").exists
    assert host.file(ROOT + "/current/api/v1/app.py").exists
    assert host.file(ROOT + "/current/web_dynamic/static/scripts/2-hbnb.js").exists


def test_venv_has_the_pinned_requirements(host):
    packages = host.pip.get_packages(pip_path=ROOT + "/current/venv/bin/pip")
    assert packages["Flask"]["version"] == "3.1.3"
    assert packages["gunicorn"]["version"] == "27.0.1"


def test_environment_file(host):
    env = host.file("/etc/airbnb/app.env")
    assert env.user == "airbnb" and env.mode == 0o600
    assert env.contains("^HBNB_TYPE_STORAGE=fs$")
    assert env.contains("^HBNB_FILE_STORAGE_PATH=/var/lib/airbnb/file.json$")
    assert env.contains("^HBNB_API_PORT=5002$")
    assert not env.contains("^HBNB_MYSQL_PWD=")
    assert not env.contains("^HBNB_ENV=")


def test_sample_data_is_served_by_the_api(host):
    code = ("import json; from api.v1.app import app; "
            "print(json.dumps(app.test_client().get('/api/v1/stats').get_json()))")
    out = host.check_output(
        "cd %s/current && runuser -u airbnb -- env $(grep -v '^#' /etc/airbnb/app.env | xargs) "
        "%s/current/venv/bin/python -c %s", ROOT, ROOT, code)
    assert json.loads(out) == {"amenities": 12, "cities": 26, "places": 24,
                               "reviews": 24, "states": 12, "users": 12}


def test_data_file_belongs_to_the_app_user(host):
    data = host.file("/var/lib/airbnb/file.json")
    assert data.user == "airbnb" and data.mode & 0o007 == 0


def test_the_release_runs_on_the_virtualenv_of_its_requirements(host):
    # Named after the requirements, shared by the releases that have the
    # same, and found through "current": a switch switches the packages too.
    link = host.file(ROOT + "/current/venv")
    assert link.is_symlink
    venv = link.linked_to
    assert venv.startswith(ROOT + "/venvs/") and len(venv.rsplit("/", 1)[1]) == 16
    assert host.file(venv + "/.airbnb_app-requirements.sha256").exists
    assert not host.file(ROOT + "/venv").exists
