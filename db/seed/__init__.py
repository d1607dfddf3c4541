"""Seed datasets: the demo (`python -m db seed demo`) and the benchmark."""
