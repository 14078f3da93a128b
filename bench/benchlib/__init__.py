# SPDX-License-Identifier: MIT
"""Helpers of bench/run_bench.py: processes, measurements, the fake site, the report."""
