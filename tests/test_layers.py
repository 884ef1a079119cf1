"""The apps depend downwards only (import-linter's contract in pyproject.toml, run by `make lint`),
and that order is visible at the top of each module: hardly any import of another app hides inside
a function, where the contract would still see it but a reader would not."""

from __future__ import annotations

import ast
from pathlib import Path

import clientbase

APPS = {"customers", "contacts", "notifications", "workorders", "portal", "transfer", "audit"}
MOST_HIDDEN_IMPORTS = 5


def hidden_imports() -> list[str]:
    root = Path(clientbase.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "migrations" in parts:
            continue
        own = parts[0] if parts[0] in APPS else None
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("clientbase."):
                    target = (inner.module or "").split(".")[1]
                    if target in APPS and target != own:
                        found.append(f"{'/'.join(parts)}:{inner.lineno} {node.name}() imports {inner.module}")
    return found


def test_at_most_a_few_imports_of_another_app_sit_inside_functions():
    hidden = hidden_imports()
    assert len(hidden) <= MOST_HIDDEN_IMPORTS, "\n".join(hidden)
