"""Every module, class and function has a docstring, as the curriculum's
checker wants: private and nested ones included (ruff's D1 rules skip those).

    python3 scripts/check-docstrings.py app
"""
import ast
import sys
from pathlib import Path


def missing(path):
    """"file:line name" of each module, class or function without a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = [] if ast.get_docstring(tree) else ["{}:1 module".format(path)]
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) \
                and not ast.get_docstring(node):
            found.append("{}:{} {}".format(path, node.lineno, node.name))
    return found


def main(roots):
    """Check every .py file under the given directories; 1 if any lacks one."""
    problems = [line for root in roots for path in sorted(Path(root).rglob("*.py"))
                for line in missing(path)]
    for line in problems:
        print("no docstring: " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["app"]))
