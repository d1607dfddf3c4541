"""`make soak`: the headline queries against a served gateway for minutes, watching errors, memory and connections."""
