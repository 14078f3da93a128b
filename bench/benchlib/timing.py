# SPDX-License-Identifier: MIT
"""When a new reading reaches the clients. The gateway's bytes pass bench_tcp_relay, which
logs the moment each chunk left toward meteremu; the probes log the moment each client first
had a new value. The difference is meteremu's whole part: TLS, parsing, publishing, and
serving or pushing."""

import bisect
import subprocess
import statistics
import time

from benchlib import measure, procs
from benchlib.report import ms

# The reading changes this often during the freshness phase (the daemon polls every 1.0 s).
CHANGE_EVERY = 1.3
CHANGES = 12
# The probe measures: it must read its clock when a reply comes, not when the loads let it,
# and it pauses between requests so as not to take a core from meteremu (a reading shows in
# its replies at most one pause late).
PROBE_NICE = -10
PROBE_PAUSE_US = 100
# The loads are background: they keep meteremu's servers busy with whatever CPU is left, but
# the question is what meteremu does with a new reading meanwhile, not how the loads and
# meteremu share two cores.
LOAD_NICE = 10


class RelayLog:
    """bench_tcp_relay's log: when chunks went down (gateway → meteremu) and up."""

    def __init__(self, relay):
        self.down, self.up = [], []
        for line in relay.output().splitlines():
            parts = line.split()
            if len(parts) == 4 and parts[0] in ("down", "up"):
                (self.down if parts[0] == "down" else self.up).append(int(parts[1]))
        self.down.sort()
        self.up.sort()

    def last_down_before(self, ns):
        """The moment the gateway's last chunk before `ns` left toward meteremu."""
        index = bisect.bisect_left(self.down, ns)
        return self.down[index - 1] if index else None

    def request_before(self, ns):
        index = bisect.bisect_left(self.up, ns)
        return self.up[index - 1] if index else None


def write_changes(site, started):
    """Gives the gateway a new grid power every CHANGE_EVERY seconds after `started`; the
    (ns, watts) written."""
    written = []
    for index in range(1, CHANGES + 1):
        time.sleep(max(0.0, started + index * CHANGE_EVERY - time.monotonic()))
        watts = 1000.0 + 111.1 * index
        site.set_grid_power(watts)
        written.append((time.monotonic_ns(), watts))
    return written


def freshness_phase(bench):
    """wrk (16 connections) and bench_udp_load (4 clients) load both transports while the
    gateway's reading changes CHANGES times; the probe's one HTTP and one UDP client, at a
    higher priority so that its clock readings are prompt, note when each value shows."""
    seconds = CHANGE_EVERY * (CHANGES + 1) + 0.5
    background = ["nice", "-n", str(LOAD_NICE)]
    wrk = subprocess.Popen(background + ["wrk", "-t1", "-c16", f"-d{seconds:.0f}s",
                                         bench.url("/rpc/EM.GetStatus?id=0")],
                           stdout=subprocess.DEVNULL)
    udp = subprocess.Popen(background + [bench.program("bench_udp_load"), "--port",
                                         str(bench.udp_port), "--clients", "4", "--seconds",
                                         str(seconds), "--warmup", "0"],
                           stdout=subprocess.DEVNULL)
    probe = procs.Process("freshness_probe", [
        bench.program("bench_freshness_probe"), "--http-port", str(bench.http_port),
        "--udp-port", str(bench.udp_port), "--seconds", str(seconds), "--pause-us",
        str(PROBE_PAUSE_US)], bench.workdir, nice=PROBE_NICE)
    started = time.monotonic_ns()
    try:
        written = write_changes(bench.site, time.monotonic())
        probe.popen.wait(seconds + 30)
    finally:
        for load in (wrk, udp):
            load.wait(30)
    output = probe.output()
    totals = measure.key_values(output.splitlines()[-1]) if output else {}
    relay = RelayLog(bench.relay)
    for transport in ("http", "udp"):
        report_freshness(bench, transport, output, relay, started, written)
    stale = int(totals.get("stale", -1))
    bench.report.row("freshness", f"replies with an older reading after a newer one was "
                     f"served ({totals.get('http', 0):,.0f} HTTP and {totals.get('udp', 0):,.0f} "
                     f"UDP probe replies)", str(stale), "", "", "0", stale == 0)
    bench.report.note(
        f"Freshness: wrk -t1 -c16 and bench_udp_load (4 clients) keep meteremu's servers busy "
        f"while bench_freshness_probe (one kept-alive HTTP and one UDP client, "
        f"{PROBE_PAUSE_US} µs between requests) notes when each new value first shows; the "
        f"gateway's last byte is bench_tcp_relay's clock reading, taken before it forwards "
        f"the bytes. Priorities: the loads run at nice {LOAD_NICE} and the probe at nice "
        f"{PROBE_NICE} (when run as root), because here they share the 2 cores with meteremu, "
        f"while on a real LAN the batteries and Home Assistant are other machines; meteremu, "
        f"the fake gateway and the relay run at normal priority (nice 0). \"published after\" "
        f"is when the probe's last request still answered with the older reading was sent: "
        f"meteremu published later than that, so it is a lower bound on meteremu's part, and "
        f"the first reply an upper bound that includes the round trip of the probe's own "
        f"request through the loaded server.")


def first_sightings(output, transport, started):
    """(ns, value, old_sent_ns, round_trip_ns) of each change the probe saw on `transport`
    after the phase began; the first line is the value before any change and is skipped."""
    sightings = []
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == transport:
            sightings.append((int(parts[1]), float(parts[2]), int(parts[3]), int(parts[4])))
    return [sighting for sighting in sightings[1:] if sighting[0] > started]


def report_freshness(bench, transport, output, relay, started, written):
    sightings = first_sightings(output, transport, started)
    ages, serving, backend, published_after, round_trips = [], [], [], [], []
    seen = set()
    regressions = 0
    for ns, value, old_sent, round_trip in sightings:
        if value in seen:
            regressions += 1  # an older value again after a newer one
        seen.add(value)
        left_gateway = relay.last_down_before(ns)
        asked = relay.request_before(left_gateway) if left_gateway else None
        if left_gateway is None or asked is None:
            continue
        serving.append((ns - left_gateway) / 1e6)
        backend.append((left_gateway - asked) / 1e6)
        ages.append((ns - asked) / 1e6)
        published_after.append(max(0, old_sent - left_gateway) / 1e6)
        round_trips.append(round_trip / 1e6)
    complete = len(serving) >= len(written) - 1 and len(written) == CHANGES
    worst = max(serving) if serving else None
    name = transport.upper()
    bench.report.row("freshness", f"{name} under load: reading age at first reply, worst of "
                     f"{len(ages)} changes (= gateway latency + meteremu)",
                     ms(max(ages)) if ages else "—", "", "",
                     "gateway latency + < 1 ms",
                     None)
    bench.report.row("freshness", f"{name}: meteremu's part, gateway's last byte → first "
                     f"reply (worst; median {ms(statistics.median(serving)) if serving else '—'})"
                     f"; gateway latency median {ms(statistics.median(backend)) if backend else '—'}",
                     ms(worst), "", "", "< 1 ms",
                     bool(complete and worst is not None and worst < 1.0 and not regressions))
    bench.report.row("freshness", f"{name}: meteremu published the reading after (lower bound "
                     f"of its part, worst; median {ms(measure.quantile(published_after, 0.5))}); "
                     f"round trip of the first reply with it: worst "
                     f"{ms(max(round_trips) if round_trips else None)}, median "
                     f"{ms(measure.quantile(round_trips, 0.5))}",
                     ms(max(published_after) if published_after else None), "", "", "", None)
    if regressions or not complete:
        bench.report.note(f"freshness {name}: {len(serving)} of {len(written)} changes seen, "
                          f"{regressions} replies went back to an older value.")


def fanout_phase(bench, clients):
    """`clients` WebSocket clients subscribed; per new reading, the time from the gateway's
    last byte to the last client's NotifyStatus."""
    out = procs.run([bench.program("bench_websocket_fanout"), "--port", str(bench.http_port),
                     "--clients", str(clients), "--rounds", "5", "--seconds", "20"], 120)
    connected = int(out.split("connected=")[1].split()[0])
    relay = RelayLog(bench.relay)
    spans, spreads = [], []
    for line in out.splitlines():
        parts = line.split()
        if parts[:1] != ["round"] or int(parts[4]) != connected:
            continue
        first, last = int(parts[2]), int(parts[3])
        left_gateway = relay.last_down_before(first)
        if left_gateway:
            spans.append((last - left_gateway) / 1e6)
            spreads.append((last - first) / 1e6)
    ok = connected == clients and len(spans) >= 3
    bench.report.row("WebSocket", f"fan-out to {connected} of {clients} subscribed clients: "
                     f"gateway's last byte → last client's NotifyStatus (worst of {len(spans)}; "
                     f"first → last client median "
                     f"{ms(statistics.median(spreads)) if spreads else '—'})",
                     ms(max(spans)) if spans else "—", "", "",
                     f"{clients} clients served (no time budget)", ok)
    if connected < clients:
        bench.report.note(f"WebSocket: only {connected} of {clients} clients were accepted "
                          f"(the WebSocket client limit).")
    bench.fanout_resources = measure.resources(bench.daemon.pid)
