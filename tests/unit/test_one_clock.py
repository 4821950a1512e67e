"""Business time has one source, the clock in Services (domain/clock.py): nothing else in the hall
or its tests reads the wall clock, so the suite passes on any day of the year."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("server", "schema", "resolvers", "db", "domain", "bench", "tests")
ALLOWED = {ROOT / "domain" / "clock.py"}
WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("calendar", "utcnow"),
}


def wall_clock_reads(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in WALL_CLOCK
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
        if isinstance(node, ast.ImportFrom) and node.module in {"time", "domain.calendar"}:
            for alias in node.names:
                if alias.name in {"time", "time_ns", "utcnow"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} import {alias.name}")
    return found


def test_nothing_reads_the_wall_clock_but_the_clock():
    offenders = [
        hit
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in ALLOWED
        for hit in wall_clock_reads(path)
    ]
    assert offenders == [], "read the time from services.clock (or take `now`):\n" + "\n".join(
        offenders
    )


def test_the_check_catches_a_wall_clock_read(tmp_path):
    sample = ROOT / "tests" / "unit" / f"_sample_{tmp_path.name}.py"
    sample.write_text(
        "import time\nfrom datetime import datetime\nx = datetime.now()\ny = time.time()\n"
    )
    try:
        assert len(wall_clock_reads(sample)) == 2
    finally:
        sample.unlink()
