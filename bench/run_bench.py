#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make bench: proves the performance budgets of
docs/architecture.md#performance-budgets against references in the same run.

One meteremu runs for the whole benchmark with every transport on (HTTP, WebSocket, two UDP
ports, mDNS) and the Envoy backend polling a fake gateway (tests/fakes' fake_envoy, HTTPS,
through bench_tcp_relay) every second. Beside it run the bare libmicrohttpd reference
(bench_http_reference), the minimal UDP server (bench_udp_reference) and nginx, serving the
bytes meteremu serves. Phases: start → READY=1, 60 s idle (CPU, memory), HTTP (wrk), UDP
(bench_udp_load), freshness under load, the push sources (MQTT, SMA Speedwire, Home Assistant:
a sample sent → the first UDP reply carrying it, each against a plain receiver of the same
messages, with a second meteremu per source), WebSocket fan-out, memory after the loads. The
table goes to <out>/report.md; the exit status is 1 when a budget fails. Every process started
here is stopped by its pid; every loop is bounded."""

import argparse
import glob
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from benchlib import procs  # noqa: E402
from benchlib.phases import Bench  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build", help="the CMake build directory")
    parser.add_argument("--out", default="build/bench", help="where the report goes")
    parser.add_argument("--fixtures", default=None,
                        help="the Envoy captures (default: tests/fixtures/envoy)")
    parser.add_argument("--idle", type=float, default=60.0, help="idle phase, seconds")
    parser.add_argument("--seconds", type=float, default=2.0, help="one load run, seconds")
    parser.add_argument("--rounds", type=int, default=7, help="runs per load, alternated")
    parser.add_argument("--push-only", action="store_true",
                        help="only the push sources' phases (MQTT, SMA Speedwire, "
                             "Home Assistant)")
    parser.add_argument("--meters-only", action="store_true",
                        help="only the other meters' phase (a Pro EM-50's EM1.GetStatus over "
                             "UDP, an EcoTracker's /v1/json over keep-alive HTTP)")
    args = parser.parse_args()
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = args.fixtures or os.path.join(source, "tests", "fixtures", "envoy")
    if not os.path.isdir(fixtures):
        print(f"bench: no Envoy fixtures at {fixtures} (--fixtures DIR)", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    for old_run in glob.glob(os.path.join(args.out, "run-*")):
        shutil.rmtree(old_run, ignore_errors=True)  # the logs of the previous run
    workdir = os.path.abspath(tempfile.mkdtemp(prefix="run-", dir=args.out))
    bench = Bench(args, workdir, fixtures)
    started = time.monotonic()
    try:
        bench.run()
    finally:
        procs.stop_all()
    header = (f"# meteremu benchmark\n\n{time.strftime('%Y-%m-%d %H:%M:%S')}, "
              f"{os.cpu_count()} cores, load average before the run "
              f"{bench.load_before}, {time.monotonic() - started:.0f} s. "
              f"Logs: {os.path.relpath(workdir)}.")
    bench.report.save(os.path.join(args.out, "report.md"),
                      os.path.join(args.out, "report.json"), header)
    with open(os.path.join(args.out, "report.md")) as report:
        print(report.read())
    return 1 if bench.report.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
