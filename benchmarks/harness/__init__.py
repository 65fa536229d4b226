"""The harness of benchmarks/compare.py: the assignment, each tool's format and runner, timing."""
