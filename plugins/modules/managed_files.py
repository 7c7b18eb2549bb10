#!/usr/bin/python
"""Ansible module of the gunicorn role: write a set of small files, rendered
on the controller, in one call.

One template task per file costs two remote round trips (stat, then copy or
file) even when nothing changes; for five Gunicorn instances with two files
each that was about 8 s of a warm run.  This writes them all at once, each
atomically, and says which changed.

The role calls it by its short name: from the installed collection it is
found here, in the collection's plugins; in this repository through the
link roles/gunicorn/library/managed_files.py."""

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
options:
  files:
    description: The files.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path of the file; its directory must exist.
        type: path
        required: true
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
  description: The labels (or paths) of the files whose content or attributes changed.
  returned: always
  type: list
  elements: str
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


def current_content(path):
    """The file's bytes, or None when there is no such file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def main():
    module = AnsibleModule(
        argument_spec={
            "files": {
                "type": "list", "elements": "dict", "required": True,
                "options": {
                    "path": {"type": "path", "required": True},
                    "content": {"type": "str", "required": True},
                    "owner": {"type": "str"},
                    "group": {"type": "str"},
                    "mode": {"type": "str"},
                    "label": {"type": "str"},
                },
            },
        },
        supports_check_mode=True,
    )
    changed_labels, diffs = [], []
    for spec in module.params["files"]:
        path = spec["path"]
        label = spec["label"] or path
        data = spec["content"].encode("utf-8")
        before = current_content(path)
        changed = before != data
        if changed:
            diffs.append({"before_header": path, "after_header": path,
                          "before": "" if before is None else before.decode("utf-8", "replace"),
                          "after": spec["content"]})
            if not module.check_mode:
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
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
