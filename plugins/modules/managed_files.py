#!/usr/bin/python
"""Ansible module of the roles of this collection: make a set of directories
and write a set of small files, rendered on the controller, in one call.

One template task per file costs two remote round trips (stat, then copy or
file) even when nothing changes; for five Gunicorn instances with two files
each that was about 8 s of a warm run.  This writes them all at once, each
atomically, and says which changed.

The roles call it by its short name: from the installed collection it is
found here, in the collection's plugins; in this repository through the
links roles/<role>/library/managed_files.py."""

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
---
module: managed_files
short_description: Write several small files in one call, each only if it differs
description:
  - Each file is compared with the content given; a different one is replaced
    atomically (written beside it, then renamed). Owner, group and mode are
    set when they differ.
  - Reports the labels of the files that changed, so that the caller can act
    on each (reload what a file configures).
  - Every changed file with a C(validate) command is checked first; one that
    fails it stops the call before any file is written.
  - Directories are made (or given their owner, group and mode) before the
    files are written.
options:
  directories:
    description: Directories to make, with their parents, or whose attributes to set.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description: Absolute path of the directory.
        type: path
        required: true
      owner:
        description: Owner of the directory.
        type: str
      group:
        description: Group of the directory.
        type: str
      mode:
        description: Mode of the directory, as an octal string such as C("0755").
        type: str
  files:
    description: The files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the file; its directory must exist or be among O(directories).
        type: path
        required: true
      validate:
        description:
          - A command that checks the new content before it replaces the file, C(%s) standing
            for a scratch copy of it (e.g. C(nft -c -f %s)); a non-zero exit fails the call.
        type: str
      backup:
        description: Keep a timestamped copy of the file it replaces.
        type: bool
        default: false
      content:
        description: The whole text of the file (UTF-8).
        type: str
        required: true
      owner:
        description: Owner of the file.
        type: str
      group:
        description: Group of the file.
        type: str
      mode:
        description: Mode of the file, as an octal string such as C("0644").
        type: str
      label:
        description: A name for the file in C(changed_labels) (default the path).
        type: str
"""

RETURN = r"""
changed_labels:
  description: The labels (or paths) of the files whose content or attributes changed, and the paths of the
    directories made or changed.
  returned: always
  type: list
  elements: str
backup_files:
  description: The copies kept of the files replaced with C(backup), by path.
  returned: when a file with backup was replaced
  type: dict
"""


def write_atomically(module, path, data):
    """Replace ``path`` with ``data`` in one rename."""
    directory = os.path.dirname(path)
    handle, scratch = tempfile.mkstemp(dir=directory, prefix=".managed_files.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        module.atomic_move(scratch, path)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def validate(module, spec, data):
    """Fail the call unless ``spec``'s validate command accepts ``data``."""
    if "%s" not in spec["validate"]:
        module.fail_json(msg="validate must contain %s: {}".format(spec["validate"]))
    handle, scratch = tempfile.mkstemp(prefix=".managed_files.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        rc, out, err = module.run_command(spec["validate"].replace("%s", scratch), use_unsafe_shell=False)
    finally:
        os.unlink(scratch)
    if rc != 0:
        module.fail_json(msg="failed to validate {}: nothing was written".format(spec["path"]),
                         exit_status=rc, stdout=out, stderr=err)


def current_content(path):
    """The file's bytes, or None when there is no such file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def make_directories(module, directories):
    """Make each missing directory and set its attributes; return the
    paths of those that changed."""
    changed = []
    for spec in directories:
        path, made = spec["path"], False
        if not os.path.isdir(path):
            made = True
            if not module.check_mode:
                os.makedirs(path)
        attributes = module.load_file_common_arguments(
            {"path": path, "owner": spec["owner"], "group": spec["group"], "mode": spec["mode"]})
        if made and module.check_mode:
            pass  # nothing on disk to compare the attributes with
        elif module.set_fs_attributes_if_different(attributes, False):
            made = True
        if made:
            changed.append(path)
    return changed


def main():
    module = AnsibleModule(
        argument_spec={
            "directories": {
                "type": "list", "elements": "dict", "default": [],
                "options": {
                    "path": {"type": "path", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "str"},
                },
            },
            "files": {
                "type": "list", "elements": "dict", "required": True,
                "options": {
                    "path": {"type": "path", "required": True},
                    "content": {"type": "str", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "str"},
                    "label": {"type": "str"},
                    "validate": {"type": "str"},
                    "backup": {"type": "bool", "default": False},
                },
            },
        },
        supports_check_mode=True,
    )
    files = []
    for spec in module.params["files"]:
        data = spec["content"].encode("utf-8")
        before = current_content(spec["path"])
        # Every new content is checked before any file is written (not in
        # check mode, as the copy module: the validator may not be installed).
        if before != data and spec["validate"] and not module.check_mode:
            validate(module, spec, data)
        files.append((spec, data, before))
    changed_labels, diffs, backups = make_directories(module, module.params["directories"]), [], {}
    for spec, data, before in files:
        path = spec["path"]
        label = spec["label"] or path
        changed = before != data
        if changed:
            diffs.append({"before_header": path, "after_header": path,
                          "before": "" if before is None else before.decode("utf-8", "replace"),
                          "after": spec["content"]})
            if not module.check_mode:
                if spec["backup"] and before is not None:
                    backups[path] = module.backup_local(path)
                write_atomically(module, path, data)
        attributes = module.load_file_common_arguments(
            {"path": path, "owner": spec["owner"], "group": spec["group"], "mode": spec["mode"]})
        if before is None and module.check_mode:
            pass  # nothing on disk to compare the attributes with
        elif module.set_fs_attributes_if_different(attributes, False):
            changed = True
        if changed:
            changed_labels.append(label)
    result = {"changed": bool(changed_labels), "changed_labels": changed_labels}
    if backups:
        result["backup_files"] = backups
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
