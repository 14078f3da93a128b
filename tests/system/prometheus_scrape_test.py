#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""GET /metrics (docs/status.md#metrics) as Prometheus reads it.

Starts `meteremu --config FILE` with the demo backend on a free loopback port, checks the
exposition with `promtool check metrics` (Prometheus' own linter: names, units, _total on
counters), then runs a real Prometheus on another loopback port scraping it once a second and
asks Prometheus' query API for the target's health and the grid power it stored.

Usage: prometheus_scrape_test.py PATH_TO_METEREMU. Exits 77 (skip) only when prometheus or
promtool is not installed.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

SKIP = 77
PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"

CONFIG = """[frontend]
mac = "02:00:5E:10:20:59"
listen_address = "127.0.0.1"
http_port = {port}
udp_ports = []
mdns = false
[backend]
type = "demo"
poll_interval = 0.5
"""

SCRAPE = """global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: meteremu
    static_configs:
      - targets: ["127.0.0.1:{port}"]
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return reply.read().decode()


def wait_for(what, check, seconds):
    """check() until it returns something true, at most `seconds`; fails with `what`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (OSError, ValueError, KeyError, IndexError):
            pass
        time.sleep(0.25)
    raise AssertionError(f"{what} within {seconds} s")


def query(prometheus_port, expression):
    url = (f"http://127.0.0.1:{prometheus_port}/api/v1/query?"
           + urllib.parse.urlencode({"query": expression}))
    return json.loads(get(url))["data"]["result"]


def run(meteremu, work):
    port, prometheus_port = free_port(), free_port()
    config = os.path.join(work, "meteremu.toml")
    with open(config, "w") as out:
        out.write(CONFIG.format(port=port))
    processes = []
    try:
        processes.append(subprocess.Popen([meteremu, "--config", config],
                                          stderr=subprocess.DEVNULL))
        metrics_url = f"http://127.0.0.1:{port}/metrics"
        wait_for("a reading in /metrics",
                 lambda: (body := get(metrics_url)) and "meteremu_grid_power_watts" in body, 10)
        # A client's request, so that the counters by method have a series to lint.
        get(f"http://127.0.0.1:{port}/rpc/EM.GetStatus?id=0")
        text = wait_for("the request counted in /metrics",
                        lambda: (body := get(metrics_url)) and
                        'meteremu_requests_total{transport="http",method="EM.GetStatus"' in body
                        and body, 10)
        lint = subprocess.run([PROMTOOL, "check", "metrics"], input=text, text=True,
                              capture_output=True, timeout=30)
        assert lint.returncode == 0 and not lint.stdout.strip() and not lint.stderr.strip(), \
            f"promtool check metrics:\n{lint.stdout}{lint.stderr}"
        scrape = os.path.join(work, "prometheus.yml")
        with open(scrape, "w") as out:
            out.write(SCRAPE.format(port=port))
        processes.append(subprocess.Popen(
            [PROMETHEUS, f"--config.file={scrape}", f"--storage.tsdb.path={work}/data",
             f"--web.listen-address=127.0.0.1:{prometheus_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        up = wait_for("Prometheus scraping meteremu (up == 1)",
                      lambda: [r for r in query(prometheus_port, 'up{job="meteremu"}')
                               if r["value"][1] == "1"], 40)
        assert up, up
        total = wait_for("meteremu_grid_power_watts{phase=\"total\"} in Prometheus",
                         lambda: query(prometheus_port,
                                       'meteremu_grid_power_watts{phase="total"}'), 20)
        watts = float(total[0]["value"][1])
        assert -20000 < watts < 20000, watts
        requests = wait_for("meteremu_requests_total in Prometheus",
                            lambda: query(prometheus_port,
                                          'meteremu_requests_total{method="EM.GetStatus",'
                                          'outcome="answered"}'), 20)
        assert float(requests[0]["value"][1]) >= 1, requests
        info = query(prometheus_port, "meteremu_build_info")
        assert info and info[0]["metric"]["version"], info
        print(f"ok: Prometheus scraped meteremu, total {watts} W, "
              f"version {info[0]['metric']['version']}")
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for tool in (PROMETHEUS, PROMTOOL):
        if not os.access(tool, os.X_OK):
            print(f"skipped: {tool} is not installed (apt-get install prometheus)")
            return SKIP
    with tempfile.TemporaryDirectory() as work:
        run(sys.argv[1], work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
