#!/usr/bin/python
"""Ansible module of the airbnb_app role: turn a release archive into a
release directory, and say what the deployment needs to know about it.

The role calls it by its short name: from the installed collection it is
found here, in the collection's plugins; in this repository through the
link roles/airbnb_app/library/airbnb_app_release.py."""

import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: airbnb_app_release
short_description: Unpack, check and describe a release of the AirBnB clone
description:
  - Checks, from the archive alone, that every Gunicorn instance's module
    file is in the release; a missing one fails before anything is written,
    naming the instance and the file, unless the instance is optional.
  - Unpacks the archive into the release directory (only once, as a complete release
    is never touched again), leaving out top-level directories such as tests,
    and rewrites the absolute API origins of the static scripts.
  - Reports whether the release has a requirements.txt (and its text), the
    bundled app's manage.py, and which optional instances it cannot serve.
  - Reports as C(fork_safe) whether the release's DBStorage disposes of its
    connection pool in a forked child (C(os.register_at_fork), as the bundled
    app's does); only then may a Gunicorn master import it for its workers.
  - Reports as C(releases) every release directory beside it (path, mtime,
    newest first, and the virtualenv it uses), for the switch to prune the old ones.
  - Gives the release the virtualenv of its requirements, O(venvs_dir)/<fingerprint>,
    shared by every release with the same requirements, through a link C(venv) in the
    release, so that switching C(current) switches the packages too. Reports that
    virtualenv (C(venv)), the requirements' fingerprint, what the virtualenv's marker
    says it installed (C(marker)), and the virtualenvs beside it (C(venvs)).
options:
  archive:
    description: The release archive (tar) on the host.
    type: path
    required: true
  dest:
    description: The release directory to create.
    type: path
    required: true
  exclude:
    description: Top-level directories of the archive not to unpack.
    type: list
    elements: str
    default: []
  api_origin:
    description:
      - Replace C(http(s)://<host>:<port>/api/v1/) in
        C(web_dynamic/static/scripts/*.js) with C(<api_origin>/api/v1/).
        An empty string gives a same-origin path. C(null) rewrites nothing.
    type: str
  instances:
    description: Gunicorn instances (name, module, state) whose module must exist.
    type: list
    elements: dict
    default: []
  source:
    description:
      - What the release was built from (the commit, or the archive's SHA-256), written on
        the second line of the release's C(.complete) marker, after the release's name.
    type: str
    default: ""
  optional:
    description: Names of the instances that may be left out.
    type: list
    elements: str
    default: []
  venvs_dir:
    description:
      - Where the virtualenvs live, one per fingerprint of requirements (their text and
        the host's Python version). The release's C(venv) link points at its own.
    type: path
    required: true
  requirements:
    description: The requirements of a release without a C(requirements.txt).
    type: list
    elements: str
    default: []
  current:
    description:
      - The link that points at the live release. The result's C(switch) tells
        whether pointing it at O(dest) would change it (true when it does not exist),
        and C(venv_switch) whether the packages would change with it.
    type: path
"""

# The members are checked here already; Python 3.12+ also wants a filter named.
EXTRACT_FILTER = {"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}
SCRIPTS_DIR = "web_dynamic/static/scripts/"
DB_STORAGE = "models/engine/db_storage.py"
# Inside a release: the link to its virtualenv; inside a virtualenv: the
# fingerprint of what pip installed there, written once pip succeeded.
VENV_LINK = "venv"
VENV_MARKER = ".airbnb_app-requirements.sha256"
# Quoted or not, http or https, any host, an explicit port, then /api/v1.
API_ORIGIN = re.compile(r"https?://[^/\s'\"`]+:\d+(/api/v1(?:/|\b))")


def member_name(member):
    """Archive member path without a leading "./"."""
    name = member.name
    while name.startswith("./"):
        name = name[2:]
    return name.strip("/")


def module_files(module):
    """The files that can hold a WSGI module "pkg.mod:app" (module or package)."""
    path = module.split(":", 1)[0].strip().replace(".", "/")
    return [path + ".py", path + "/__init__.py"]


def check_instances(names, instances, optional):
    """(missing required [(instance, file)], skipped optional instance names)."""
    missing, skipped = [], []
    for instance in instances:
        if instance.get("state", "present") == "absent":
            continue
        candidates = module_files(instance["module"])
        if any(candidate in names for candidate in candidates):
            continue
        if instance["name"] in optional:
            skipped.append(instance["name"])
        else:
            missing.append((instance["name"], candidates[0]))
    return missing, skipped


def rewrite_origins(root, origin):
    """Rewrite absolute API origins in the static scripts; the files changed."""
    changed = []
    scripts = os.path.join(root, SCRIPTS_DIR)
    if not os.path.isdir(scripts):
        return changed
    for name in sorted(os.listdir(scripts)):
        path = os.path.join(scripts, name)
        if not name.endswith(".js") or not os.path.isfile(path) or os.path.islink(path):
            continue
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read()
        new = API_ORIGIN.sub(lambda match: origin + match.group(1), text)
        if new != text:
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(new)
            changed.append(SCRIPTS_DIR + name)
    return changed


def link_stays_inside(name, target):
    """Whether a symbolic link at ``name`` pointing at ``target`` resolves
    inside the release (relative links between its directories are kept)."""
    if target.startswith("/"):
        return False
    resolved = os.path.normpath(os.path.join(os.path.dirname(name), target))
    return resolved != ".." and not resolved.startswith("../")


def safe_members(archive, exclude):
    """Members to unpack: no absolute paths, no "..", no device files, no
    link out of the release, nothing under an excluded top-level directory."""
    for member in archive.getmembers():
        name = member_name(member)
        if not name or name.split("/", 1)[0] in exclude:
            continue
        if name.startswith("/") or ".." in name.split("/"):
            raise ValueError("unsafe path in the archive: " + member.name)
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            continue
        if member.islnk() and (member.linkname.startswith("/") or ".." in member.linkname.split("/")):
            continue
        if member.issym() and not link_stays_inside(name, member.linkname):
            continue
        yield member


def link_venv(release, venv):
    """Point the release's venv link at ``venv``, atomically (a new link
    renamed over the old one); whether it changed."""
    link = os.path.join(release, VENV_LINK)
    if os.path.islink(link) and os.readlink(link) == venv:
        return False
    scratch = link + ".new"
    if os.path.lexists(scratch):
        os.remove(scratch)
    os.symlink(venv, scratch)
    os.replace(scratch, link)
    return True


def unpack(archive_path, dest, exclude, origin, source, venv):
    """Unpack into a scratch directory beside dest, then rename it into place,
    so a release directory is either absent or complete."""
    parent = os.path.dirname(dest)
    scratch = tempfile.mkdtemp(prefix=".unpack-", dir=parent)
    try:
        with tarfile.open(archive_path) as archive:
            for member in safe_members(archive, exclude):
                member.uid = member.gid = 0
                member.uname = member.gname = "root"
                member.mode = (member.mode | 0o644) & 0o755 if not member.isdir() else 0o755
                archive.extract(member, scratch, set_attrs=not member.issym(), **EXTRACT_FILTER)
        rewritten = rewrite_origins(scratch, origin) if origin is not None else []
        with open(os.path.join(scratch, ".complete"), "w", encoding="utf-8") as handle:
            handle.write(os.path.basename(dest) + "\n" + (source + "\n" if source else ""))
        link_venv(scratch, venv)
        os.chmod(scratch, 0o755)
        if os.path.lexists(dest):
            shutil.rmtree(dest)  # an earlier run stopped half-way
        os.rename(scratch, dest)
        return rewritten
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def read_archive(archive_path, wanted):
    """(the archive's file and link names, {name: text} of the wanted
    files it holds), in one pass."""
    names, texts = set(), {}
    with tarfile.open(archive_path) as archive:
        for member in archive.getmembers():
            name = member_name(member)
            if member.isfile() or member.issym():
                names.add(name)
            if name in wanted and member.isfile():
                texts[name] = archive.extractfile(member).read().decode("utf-8", "replace")
    return names, texts


def main():
    module = AnsibleModule(
        argument_spec={
            "archive": {"type": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "exclude": {"type": "list", "elements": "str", "default": []},
            "api_origin": {"type": "str"},
            "instances": {"type": "list", "elements": "dict", "default": []},
            "optional": {"type": "list", "elements": "str", "default": []},
            "source": {"type": "str", "default": ""},
            "venvs_dir": {"type": "path", "required": True},
            "requirements": {"type": "list", "elements": "str", "default": []},
            "current": {"type": "path"},
        },
        supports_check_mode=True,
    )
    params = module.params
    complete = os.path.isfile(os.path.join(params["dest"], ".complete"))
    result = {"changed": not complete, "dest": params["dest"], "rewritten": []}
    if not os.path.isfile(params["archive"]):
        if module.check_mode:
            module.exit_json(inspected=False, **result)
        module.fail_json(msg="the release archive {} is missing".format(params["archive"]), **result)

    try:
        names, texts = read_archive(params["archive"], {"requirements.txt", "manage.py", DB_STORAGE})
    except (OSError, tarfile.TarError) as error:
        module.fail_json(msg="cannot read the release archive {}: {}".format(params["archive"], error))

    missing, skipped = check_instances(names, params["instances"], params["optional"])
    if missing:
        module.fail_json(
            msg="the release has no module file for "
                + "; ".join("instance {} ({} is not in the release)".format(name, path)
                            for name, path in missing)
                + ": nothing was switched; fix the code or the instance's module",
            missing=[{"instance": name, "file": path} for name, path in missing], **result)

    manage = texts.get("manage.py", "")
    fingerprint = requirements_fingerprint(texts.get("requirements.txt") if "requirements.txt" in names
                                           else "\n".join(params["requirements"]))
    venv = os.path.join(params["venvs_dir"], fingerprint[:16])
    result.update(
        inspected=True,
        skipped_instances=skipped,
        requirements_file="requirements.txt" in names,
        requirements=texts.get("requirements.txt", ""),
        # The bundled app's deployment commands (create-schema, load-sample-data).
        manage_commands="create-schema" in manage and "load-sample-data" in manage,
        fork_safe="os.register_at_fork(" in texts.get(DB_STORAGE, ""),
        requirements_fingerprint=fingerprint,
        venv=venv,
        # What pip installed there, once it succeeded ("" for a new virtualenv).
        marker=read_marker(os.path.join(venv, VENV_MARKER)),
    )
    if not complete and not module.check_mode:
        try:
            result["rewritten"] = unpack(params["archive"], params["dest"], set(params["exclude"]),
                                         params["api_origin"], params["source"], venv)
        except (OSError, ValueError, tarfile.TarError) as error:
            module.fail_json(msg="cannot unpack the release into {}: {}".format(params["dest"], error))
    elif complete:
        # A release unpacked before it had a virtualenv of its own gets one;
        # a complete release's link never changes otherwise (its
        # requirements are part of its name).
        try:
            if module.check_mode:
                result["changed"] = os.path.realpath(os.path.join(params["dest"], VENV_LINK)) != venv
            else:
                result["changed"] = link_venv(params["dest"], venv)
        except OSError as error:
            module.fail_json(msg="cannot link the release {} to its virtualenv: {}".format(
                params["dest"], error))
    if params["current"]:
        # What switching "current" to this release would change: the code,
        # and the packages (a new master then, not only new workers).
        result["switch"] = os.path.realpath(params["current"]) != os.path.realpath(params["dest"])
        result["venv_switch"] = os.path.realpath(os.path.join(params["current"], VENV_LINK)) != venv
    # Every release and virtualenv on the host, newest first: the switch
    # prunes the old ones from these lists, without a call of its own.
    result["releases"] = list_releases(os.path.dirname(params["dest"]))
    result["venvs"] = list_dirs(params["venvs_dir"])
    module.exit_json(**result)


def requirements_fingerprint(text):
    """What identifies a virtualenv: the requirements (blank lines and
    comments aside) and the Python that runs it (a venv is built for one)."""
    lines = [line.strip() for line in (text or "").splitlines()]
    wanted = [line for line in lines if line and not line.startswith("#")]
    python = "python{}.{}".format(*sys.version_info[:2])
    return hashlib.sha256("\n".join([python] + wanted).encode("utf-8")).hexdigest()


def list_dirs(directory):
    """The directories in ``directory`` (paths)."""
    if not os.path.isdir(directory):
        return []
    return sorted(entry.path for entry in os.scandir(directory) if entry.is_dir(follow_symlinks=False))


def list_releases(directory):
    """The release directories in ``directory``, newest first (by mtime)."""
    releases = []
    for entry in os.scandir(directory) if os.path.isdir(directory) else []:
        if entry.is_dir(follow_symlinks=False):
            link = os.path.join(entry.path, VENV_LINK)
            releases.append({"path": entry.path, "mtime": entry.stat(follow_symlinks=False).st_mtime,
                             "venv": os.readlink(link) if os.path.islink(link) else ""})
    return sorted(releases, key=lambda release: release["mtime"], reverse=True)


def read_marker(path):
    """The text of a small file, or "" if there is none."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(4096).strip()
    except FileNotFoundError:
        return ""


if __name__ == "__main__":
    main()
