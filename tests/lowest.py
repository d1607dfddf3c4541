"""The lowest versions pyproject.toml allows, as pip constraints (`make test-lowest` installs and tests them).

    python3 tests/lowest.py > constraints.txt

Every `>=` lower bound and every `==` pin of the dependencies and the test
and embedded extras becomes `==`: the lower bounds are promises, and this keeps them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_BOUND = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:==|>=)\s*([0-9][^,;\s]*)")


def lowest_constraints() -> list[str]:
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    constraints = []
    extras = project["optional-dependencies"]
    for requirement in project["dependencies"] + extras["test"] + extras["embedded"]:
        bound = _BOUND.match(requirement)
        if bound is not None:
            constraints.append(f"{bound.group(1)}=={bound.group(2)}")
    return constraints


if __name__ == "__main__":
    print("\n".join(lowest_constraints()))
