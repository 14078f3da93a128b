# SPDX-License-Identifier: MIT
"""The other meters' hot paths against the same references: a Pro EM-50's EM1.GetStatus over
UDP (what a Marstek on meter type 5 polls), a Marstek CT002's framed poll over UDP (what
batteries sharing one meter poll) and an EcoTracker's /v1/json over keep-alive HTTP (what a
Jackery polls), served by a daemon of their own so that the Pro 3EM's rows and its memory
figures stay as they were."""

import functools
import os
import socket
import time
import urllib.request

from benchlib import loads, measure, procs
from benchlib.report import ms, rate

METERS_CONFIG = """\
log_level = "info"
[[frontend]]
type = "shelly"
model = "proem50"
mac = "0A1B2C3D4E60"
mdns = true
listen_address = "127.0.0.1"
http_port = {http_port}
udp_ports = [{udp_port}]
udp_repeat_policy = "repeat"
[[frontend]]
type = "ecotracker"
mac = "0A1B2C3D4E61"
mdns = true
listen_address = "127.0.0.1"
http_port = {eco_port}
http_repeat_policy = "repeat"
[[frontend]]
type = "ct002"
ct_mac = "02b250a1b2c3"
listen_address = "127.0.0.1"
http_port = 0
udp_ports = [{ct_port}]
udp_repeat_policy = "repeat"
[backend]
type = "envoy"
host = "127.0.0.1:{envoy_port}"
token = "{token}"
poll_interval = 1.0
verify_ssl = false
"""

EM1_REQUEST = '{"id":1,"src":"bench","method":"EM1.GetStatus","params":{"id":0}}'


def ct002_frame(body):
    """SOH STX, the whole length (counting its own digits), the fields, ETX, the XOR sum."""
    base = len(body) + 5
    digits = next(d for d in range(1, 5) if len(str(base + d)) == d)
    frame = "\x01\x02" + str(base + digits) + body + "\x03"
    return frame + "%02x" % functools.reduce(lambda x, c: x ^ ord(c), frame, 0)


# A Venus E on phase A discharging 120 W, polling the configured meter.
CT002_REQUEST = ct002_frame("|HMG-50|aabbccddeeff|HME-4|02b250a1b2c3|A|120")
ECOTRACKER_PATH = "/v1/json"
KEEP_ALIVE_CONNECTIONS = (1, 16)


def start(bench):
    """The daemon with a Pro EM-50 and an EcoTracker, polling the fake gateway directly."""
    ports = {"http_port": procs.free_port(), "eco_port": procs.free_port(),
             "udp_port": procs.free_port(socket.SOCK_DGRAM),
             "ct_port": procs.free_port(socket.SOCK_DGRAM)}
    path = os.path.join(bench.workdir, "meteremu-meters.toml")
    with open(path, "w") as config:
        config.write(METERS_CONFIG.format(envoy_port=bench.envoy_port, token=bench.site.token,
                                          **ports))
    daemon, _ = bench.launch("meteremu-meters", path)
    url = bench.url(ECOTRACKER_PATH, ports["eco_port"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                return daemon, ports, reply.read()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the EcoTracker served no reading:\n" + daemon.output()[-2000:])


def udp_rows(bench, name, label, port, request, reply_prefix="{"):
    """One UDP poll's rows: requests/s and latency against the reference answering its bytes."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        client.settimeout(2)
        client.sendto(request.encode("latin-1"), ("127.0.0.1", port))
        reply = client.recv(9000)
    reply_path = os.path.join(bench.workdir, f"{name}_udp_reply")
    with open(reply_path, "wb") as out:
        out.write(reply)
    reference = procs.Process(f"udp_reference_{name}", [
        bench.program("bench_udp_reference"), "--reply", reply_path], bench.workdir)
    reference_port = int(reference.wait_for(r"port=(\d+)").group(1))
    clients, seconds = loads.UDP_BUDGET_CLIENTS, bench.args.seconds

    def load(target):
        out = procs.run([bench.program("bench_udp_load"), "--port", str(target), "--clients",
                         str(clients), "--seconds", str(seconds), "--warmup", "0.5",
                         "--request", request, "--reply-starts-with", reply_prefix], seconds + 30)
        values = measure.key_values(out)
        values["p50_ms"], values["p99_ms"] = values["p50_us"] / 1e3, values["p99_us"] / 1e3
        return values

    ours_runs, reference_runs = loads.alternate(bench.args.rounds, lambda: load(port),
                                                lambda: load(reference_port))
    reference.stop()
    ours, best = measure.best_run(ours_runs), measure.best_run(reference_runs)
    ratio = ours["rate"] / best["rate"]
    lost = sum(run["timeouts"] + run["bad"] for run in ours_runs)
    bench.report.row("meters", f"UDP {label}, {clients} closed-loop clients: requests/s",
                     rate(ours["rate"]) + (f" ({lost:.0f} lost)" if lost else ""),
                     rate(best["rate"]), f"{ratio:.2f}×", "≥ 0.8× reference",
                     ratio >= 0.8 and not lost)
    bench.report.row("meters", f"UDP {label}, {clients} clients: latency p99 (p50)",
                     f"{ms(ours['p99_ms'])} ({ms(ours['p50_ms'])})",
                     f"{ms(best['p99_ms'])} ({ms(best['p50_ms'])})",
                     f"{ours['p99_ms'] / best['p99_ms']:.2f}×")


def ecotracker_http_rows(bench, daemon, ports, body):
    # The reference on the same libmicrohttpd numbers as the daemon, as for the Pro 3EM's rows.
    mhd = daemon.wait_for(r"ecotracker: libmicrohttpd: (\d+) threads?, (\d+) connections, "
                          r"(\d+) bytes each, (\d+) s timeout")
    body_path = os.path.join(bench.workdir, "ecotracker_v1_json.json")
    with open(body_path, "wb") as out:
        out.write(body)
    reference = procs.Process("http_reference_ecotracker", [
        bench.program("bench_http_reference"), "--body", body_path, "--server", "", "--threads",
        mhd.group(1), "--connections", mhd.group(2), "--memory", mhd.group(3), "--timeout",
        mhd.group(4)],
        bench.workdir, bench.env)
    reference_port = int(reference.wait_for(r"port=(\d+)").group(1))
    seconds = bench.args.seconds
    for connections in KEEP_ALIVE_CONNECTIONS:
        ours_runs, reference_runs = loads.alternate(
            bench.args.rounds,
            lambda: measure.wrk(bench.url(ECOTRACKER_PATH, ports["eco_port"]), connections,
                                seconds),
            lambda: measure.wrk(bench.url(ECOTRACKER_PATH, reference_port), connections, seconds))
        ours, best = measure.best_run(ours_runs), measure.best_run(reference_runs)
        ratio = ours["rate"] / best["rate"]
        errors = sum(run["errors"] for run in ours_runs)
        bench.report.row("meters", f"GET /v1/json (EcoTracker), keep-alive, {connections} "
                         f"connection{'s' if connections > 1 else ''}: requests/s, best round",
                         rate(ours["rate"]) + (f" ({errors} errors)" if errors else ""),
                         rate(best["rate"]), f"{ratio:.2f}×", "≥ 0.8× reference",
                         ratio >= 0.8 and errors == 0)
        bench.report.row("meters", f"/v1/json, {connections} connection(s): latency p50 / p99",
                         f"{ms(ours['p50_ms'])} / {ms(ours['p99_ms'])}",
                         f"{ms(best['p50_ms'])} / {ms(best['p99_ms'])}")
    reference.stop()


def meters_phase(bench):
    daemon, ports, body = start(bench)
    try:
        udp_rows(bench, "em1", "EM1.GetStatus (Pro EM-50)", ports["udp_port"], EM1_REQUEST)
        udp_rows(bench, "ct002", "CT002 poll (Marstek, relay mode)", ports["ct_port"],
                 CT002_REQUEST, reply_prefix="\x01\x02")
        ecotracker_http_rows(bench, daemon, ports, body)
    finally:
        daemon.stop()
    bench.report.note("meters: a second meteremu serving a Pro EM-50 (UDP), a CT002 (UDP) and an "
                      "EcoTracker "
                      "(HTTP, rendered per request: its powerAvg moves with time), each against "
                      "the reference programs answering its own bytes (the EcoTracker's reference "
                      "without a Server header), rounds alternated as above.")
