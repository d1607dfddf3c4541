"""`make profile` summarizes py-spy's collapsed stacks by function."""

from __future__ import annotations

from tests.bench.profile import summarize
from tests.bench.servers import ROOT

SITE = "/work/.venv/lib/python3.11/site-packages"
STDLIB = "/usr/lib/python3.11"


def test_a_function_counts_the_samples_it_was_running_as_its_own_and_every_sample_it_was_on_the_stack_as_inclusive():
    profile = summarize(
        [
            f"run ({STDLIB}/asyncio/runners.py:118);handle ({ROOT}/graph/transport/http.py:160);fetch ({SITE}/asyncpg/connection.py:700) 6",
            f"run ({STDLIB}/asyncio/runners.py:118);handle ({ROOT}/graph/transport/http.py:160) 3",
            f"run ({STDLIB}/asyncio/runners.py:118) 1",
        ]
    )

    assert profile.total == 10
    assert profile.own == {"fetch (asyncpg/connection.py)": 6, "handle (graph/transport/http.py)": 3, "run (asyncio/runners.py)": 1}
    assert profile.inclusive["handle (graph/transport/http.py)"] == 9
    assert profile.inclusive["run (asyncio/runners.py)"] == 10


def test_a_recursive_function_counts_each_sample_once():
    profile = summarize([f"walk ({ROOT}/graph/guards/limits/walk.py:10);walk ({ROOT}/graph/guards/limits/walk.py:10) 4"])

    assert profile.inclusive == {"walk (graph/guards/limits/walk.py)": 4}
    assert profile.own == {"walk (graph/guards/limits/walk.py)": 4}


def test_generated_code_keeps_its_name():
    profile = summarize(["<lambda> (<string>:1) 2"])

    assert profile.own == {"<lambda> (<string>)": 2}
