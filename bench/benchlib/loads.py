# SPDX-License-Identifier: MIT
"""The loads of a benchmark run: HTTP (wrk), UDP (bench_udp_load), freshness under both, and
the WebSocket fan-out. meteremu and its reference run alternately in short rounds, so that
whatever else the machine does falls on both alike; the best round of each counts."""

import os
import shutil
import subprocess
import time

from benchlib import measure, procs
from benchlib.report import ms, rate

NGINX_WORKERS = 2
HTTP_SCENARIOS = [  # (name, connections, Connection: close, budgeted)
    ("keep-alive, 1 connection", 1, False, True),
    ("keep-alive, 16 connections", 16, False, True),
    ("keep-alive, 256 connections", 256, False, True),
    ("Connection: close, 16 connections", 16, True, False),
]
# One connection is a ping-pong of wake-ups: a round is fast or several times slower
# depending on where the scheduler puts the client and the server thread and on what else
# runs, for the reference as much as for meteremu. More rounds make a fast one likely.
SINGLE_CONNECTION_ROUNDS = 2
UDP_BUDGET_CLIENTS = 4
UDP_CONTEXT_CLIENTS = (1, 16)

NGINX_CONFIG = """\
worker_processes {workers};
{user}
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
    types {{ }}
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
    }}
}}
"""


def start_nginx(bench, body_path):
    """nginx on a private configuration, serving `body_path` at the GET_STATUS path."""
    home = os.path.join(bench.workdir, "nginx")
    os.makedirs(os.path.join(home, "www", "rpc"))
    os.makedirs(os.path.join(home, "tmp"))
    shutil.copy(body_path, os.path.join(home, "www", "rpc", "EM.GetStatus"))
    port = procs.free_port()
    config = os.path.join(home, "nginx.conf")
    with open(config, "w") as out:
        out.write(NGINX_CONFIG.format(workers=NGINX_WORKERS, dir=home, port=port,
                                      user="user root;" if os.geteuid() == 0 else ""))
    nginx = procs.Process("nginx", ["nginx", "-p", home, "-e", os.path.join(home, "error.log"),
                                    "-c", config, "-g", "daemon off;"], bench.workdir)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            measure.wrk(bench.url("/rpc/EM.GetStatus", port), 1, 1)
            return port
        except (subprocess.CalledProcessError, AttributeError):
            if nginx.popen.poll() is not None:
                break
            time.sleep(0.2)
    raise RuntimeError("nginx did not serve: " + nginx.output()[-1000:])


def alternate(rounds, measure_ours, measure_reference):
    """Runs both `rounds` times, in alternating order; the lists of runs."""
    ours, reference = [], []
    for index in range(rounds):
        pair = [(ours, measure_ours), (reference, measure_reference)]
        for runs, run in (pair if index % 2 else reversed(pair)):
            runs.append(run())
    return ours, reference


def http_phase(bench):
    seconds, rounds = bench.args.seconds, bench.args.rounds
    path = "/rpc/EM.GetStatus?id=0"
    for name, connections, close, budgeted in HTTP_SCENARIOS:
        ours_runs, reference_runs = alternate(
            rounds * SINGLE_CONNECTION_ROUNDS if connections == 1 else rounds,
            lambda: measure.wrk(bench.url(path), connections, seconds, close),
            lambda: measure.wrk(bench.url(path, bench.reference_port), connections, seconds,
                                close))
        nginx = measure.wrk(bench.url(path, bench.nginx_port), connections, seconds, close)
        ours, reference = measure.best_run(ours_runs), measure.best_run(reference_runs)
        ratio = ours["rate"] / reference["rate"]
        errors = sum(run["errors"] for run in ours_runs)
        passed = (ratio >= 0.8 and errors == 0) if budgeted else None
        medians = f"median of {len(ours_runs)} rounds {rate(measure.median_rate(ours_runs))} " \
                  f"vs {rate(measure.median_rate(reference_runs))}"
        bench.report.row("HTTP", f"GET EM.GetStatus, {name}: requests/s, best round "
                         f"({medians})",
                         rate(ours["rate"]) + (f" ({errors} errors)" if errors else ""),
                         rate(reference["rate"]), f"{ratio:.2f}×",
                         "≥ 0.8× reference" if budgeted else "", passed)
        bench.report.row("HTTP", f"{name}: latency p50 / p99",
                         f"{ms(ours['p50_ms'])} / {ms(ours['p99_ms'])}",
                         f"{ms(reference['p50_ms'])} / {ms(reference['p99_ms'])}")
        bench.report.row("HTTP", f"{name}: nginx for context (req/s, p50 / p99)",
                         "", f"{rate(nginx['rate'])}, {ms(nginx['p50_ms'])} / "
                         f"{ms(nginx['p99_ms'])}", f"{ours['rate'] / nginx['rate']:.2f}×")
    bench.report.note(f"HTTP: wrk -t1 -c<N> -d{seconds:g}s --latency, {rounds} rounds per "
                      f"server ({rounds * SINGLE_CONNECTION_ROUNDS} at 1 connection) alternating "
                      f"meteremu and the reference; the best rate and the lowest latencies of the "
                      f"rounds shown (other work on the machine only slows a round down), the "
                      f"median rate of the rounds beside it.")


def udp_load(bench, port, clients, seconds):
    out = procs.run([bench.program("bench_udp_load"), "--port", str(port), "--clients",
                     str(clients), "--seconds", str(seconds), "--warmup", "0.5"], seconds + 30)
    values = measure.key_values(out)
    values["p50_ms"], values["p99_ms"] = values["p50_us"] / 1e3, values["p99_us"] / 1e3
    return values


def udp_phase(bench):
    seconds, rounds = bench.args.seconds, bench.args.rounds
    for clients in (UDP_BUDGET_CLIENTS,) + UDP_CONTEXT_CLIENTS:
        budgeted = clients == UDP_BUDGET_CLIENTS
        ours_runs, reference_runs = alternate(
            rounds if budgeted else 1,
            lambda: udp_load(bench, bench.udp_port, clients, seconds),
            lambda: udp_load(bench, bench.udp_reference_port, clients, seconds))
        ours, reference = measure.best_run(ours_runs), measure.best_run(reference_runs)
        ratio = ours["rate"] / reference["rate"]
        p99_ratio = ours["p99_ms"] / reference["p99_ms"]
        lost = sum(run["timeouts"] + run["bad"] for run in ours_runs)
        who = f"{clients} closed-loop client" + ("s" if clients > 1 else "")
        bench.report.row("UDP", f"EM.GetStatus, {who}: requests/s",
                         rate(ours["rate"]) + (f" ({lost:.0f} lost)" if lost else ""),
                         rate(reference["rate"]), f"{ratio:.2f}×",
                         "≥ 0.8× reference" if budgeted else "",
                         (ratio >= 0.8 and not lost) if budgeted else None)
        bench.report.row("UDP", f"{who}: latency p99 (p50)",
                         f"{ms(ours['p99_ms'])} ({ms(ours['p50_ms'])})",
                         f"{ms(reference['p99_ms'])} ({ms(reference['p50_ms'])})",
                         f"{p99_ratio:.2f}×", "p99 ≤ 1.5× reference" if budgeted else "",
                         p99_ratio <= 1.5 if budgeted else None)
    bench.report.note(f"UDP: bench_udp_load, one thread driving N sockets with one request "
                      f"in flight each, {seconds:g} s after 0.5 s warm-up; {rounds} rounds "
                      f"alternating at {UDP_BUDGET_CLIENTS} clients, best shown as for HTTP; the "
                      f"reference answers with meteremu's reply bytes on one blocking socket.")

