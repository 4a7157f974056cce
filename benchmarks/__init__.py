"""Benchmarks for `make bench`: figures printed as tables, never asserted in tests."""
