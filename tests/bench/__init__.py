"""`make bench`: the gateway against the raw-SQL limit, over the same HTTP stack."""
