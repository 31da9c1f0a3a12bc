"""Benchmarks that print figures measured in one run. `python -m bench` runs them all."""
