"""How an operation runs: the pipeline both transports call, query selections, and the fast executor."""
