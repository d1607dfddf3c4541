"""Windows kept in process (graph/guards/rate_limit/local.py): memory stays bounded by the keys of one window."""

from __future__ import annotations

from graph.guards.rate_limit import LocalWindows


async def test_ended_windows_are_swept_out_as_new_keys_arrive():
    now = [0.0]
    windows = LocalWindows(points=10, seconds=60, clock=lambda: now[0])
    for key in range(1000):
        await windows.charge(f"old-{key}", 1)

    now[0] = 61.0  # every window above has ended
    for key in range(1100):
        await windows.charge(f"new-{key}", 1)

    assert len(windows._open) == 1100
