"""Benchmarks of GM Assistant on generated data (`python -m bench`); never part of the tests.

Each benchmark prints a rich table and writes `bench/results/<name>.json` with the machine it
ran on. Generated input files go to `bench/data/` (git-ignored).
"""
