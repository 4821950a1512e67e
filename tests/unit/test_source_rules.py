"""Rules about the source itself, checked by walking its syntax trees: no module reaches into
another module's private names, and every business error code raised is in the registry."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.errors import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "schema", "resolvers", "db", "domain", "tests")
REGISTRY = ROOT / "domain" / "errors.py"
RAISERS = {"fail", "Problem", "error_code"}  # plus DomainError.of


def sources() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """`from x import _y`, and `x._y` where `x` was bound by `import x`."""
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            for alias in node.names:
                if _private(alias.name):
                    yield node.lineno, f"from {node.module} import {alias.name}"
        elif isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            yield node.lineno, f"{node.value.id}.{node.attr}"


def test_no_module_imports_another_modules_private_name():
    found = [
        f"{path}:{line}: {what}" for path, tree in sources() for line, what in private_imports(tree)
    ]
    assert found == [], "private names used across modules:\n" + "\n".join(found)


def _raiser(call: ast.Call) -> bool:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id in RAISERS
    return isinstance(f, ast.Attribute) and (
        f.attr in RAISERS or (f.attr == "of" and ast.unparse(f.value) == "DomainError")
    )


def _literals(node: ast.expr | None) -> Iterator[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.IfExp):
        yield from _literals(node.body)
        yield from _literals(node.orelse)


def raised_codes(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Code literals given to fail(...), Problem(...), DomainError.of(...), as `code=`, or as
    the default of a parameter named `code`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _raiser(node):
            first = node.args[0] if node.args else None
            keyword = next((k.value for k in node.keywords if k.arg == "code"), None)
            for literal in (*_literals(first), *_literals(keyword)):
                yield node.lineno, literal
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            positional = args.posonlyargs + args.args
            pairs = list(
                zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
            )
            pairs += [
                (a, d)
                for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                if d is not None
            ]
            for arg, default in pairs:
                if arg.arg == "code":
                    for literal in _literals(default):
                        yield node.lineno, literal


def test_every_raised_code_is_registered():
    registered = {code.value for code in ErrorCode}
    unknown = [
        f"{path}:{line}: {code}"
        for path, tree in sources()
        for line, code in raised_codes(tree)
        if code not in registered
    ]
    assert unknown == [], "codes missing from domain.errors.ErrorCode:\n" + "\n".join(unknown)


def test_every_registered_code_is_raised_somewhere():
    used: set[str] = set()
    for path, tree in sources():
        if path.startswith("tests") or ROOT / path == REGISTRY:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)
            elif isinstance(node, ast.Attribute) and ast.unparse(node.value) == "ErrorCode":
                used.add(node.attr)
    assert sorted(c.value for c in ErrorCode if c.value not in used) == []


def test_readme_lists_every_code():
    readme = (ROOT / "README.md").read_text()
    assert sorted(c.value for c in ErrorCode if f"`{c.value}`" not in readme) == []


def test_an_unregistered_code_is_a_bug_not_a_user_error():
    from domain.errors import fail

    assert fail("NOT_FOUND", "gone").code is ErrorCode.NOT_FOUND
    with pytest.raises(ValueError, match="NO_SUCH_CODE"):
        fail("NO_SUCH" + "_CODE", "never")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("fail('NOPE', 'm')", ["NOPE"]),
        ("raise DomainError.of(code='X_Y', message='m')", ["X_Y"]),
        ("Problem('A' if ok else 'B', 'm')", ["A", "B"]),
        ("def check(v, code='DEFAULTED'): ...", ["DEFAULTED"]),
        ("other('NOT_A_CODE')", []),
    ],
)
def test_the_code_walker_sees_literals(source, expected):
    assert [code for _, code in raised_codes(ast.parse(source))] == expected


def test_the_private_walker_sees_both_forms():
    tree = ast.parse("from a.b import _c, d, __version__\nimport e\ne._f()\ng._h()")
    assert [what for _, what in private_imports(tree)] == ["from a.b import _c", "e._f"]
