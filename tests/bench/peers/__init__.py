"""PostGraphile v4 and v5 served on the bench data and measured beside the gateway (`make bench PEERS=1`)."""

from tests.bench.peers.compare import compare_peers

__all__ = ["compare_peers"]
