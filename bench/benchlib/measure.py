# SPDX-License-Identifier: MIT
"""What the benchmark reads: wrk and the bench programs' output, and a process's resources
from /proc (RSS, peak RSS, private dirty memory, open descriptors, CPU time)."""

import os
import re
import statistics
import subprocess

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _milliseconds(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"not a wrk duration: {text}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url, connections, seconds, close=False, threads=1):
    """One wrk run: {rate, p50_ms, p99_ms, errors}."""
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "5s"]
    if close:
        argv += ["-H", "Connection: close"]
    done = subprocess.run(argv + [url], capture_output=True, text=True, timeout=seconds + 30,
                          check=True)
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _milliseconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _milliseconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    return {"rate": rate, "p50_ms": p50, "p99_ms": p99, "errors": errors}


def key_values(line):
    """'a=1 b=2.5' → {'a': 1.0, 'b': 2.5}."""
    return {key: float(value) for key, value in re.findall(r"(\w+)=([-\d.]+)", line)}


def best_run(runs):
    """The run with the highest rate, with the lowest p99 of all runs: what the server can
    do. Other work on the machine only ever slows a run down, so the best of several
    alternated runs is the fairest estimate for both sides."""
    best = dict(max(runs, key=lambda run: run["rate"]))
    best["p99_ms"] = min(run["p99_ms"] for run in runs)
    best["p50_ms"] = min(run["p50_ms"] for run in runs)
    return best


def median_rate(runs):
    return statistics.median(run["rate"] for run in runs)


def resources(pid):
    """RSS, peak RSS and private dirty memory in KiB, and open descriptors, of `pid`."""
    status = {}
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            name, _, value = line.partition(":")
            status[name] = value.strip()
    private_dirty = 0
    with open(f"/proc/{pid}/smaps_rollup") as lines:
        for line in lines:
            if line.startswith("Private_Dirty:"):
                private_dirty = int(line.split()[1])
    return {
        "rss_kib": int(status["VmRSS"].split()[0]),
        "peak_kib": int(status["VmHWM"].split()[0]),
        "private_dirty_kib": private_dirty,
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(status["Threads"]),
    }


def cpu_ticks(pid):
    """utime + stime of `pid` (all its threads) in clock ticks, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)


def quantile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def mean(values):
    return statistics.fmean(values) if values else None
