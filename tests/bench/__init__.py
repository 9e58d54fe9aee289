"""Benchmarks of the running system: `python -m tests.bench` (parts and knobs in cli.py, common.py)."""
