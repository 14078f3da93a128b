# SPDX-License-Identifier: MIT
"""How soon a pushed sample reaches a battery. A push source (MQTT, SMA Speedwire, Home
Assistant) sends when it has a new value, and its message's arrival is the sample time: what
meteremu adds is the time from that arrival to the first UDP reply carrying the value. Each
push source's phase (push_sources.py) starts its source, a plain receiver of the same messages
as the reference and a second meteremu reading that source, then calls measure(): the sender
sends CHANGES values, each noted on CLOCK_MONOTONIC as it leaves, while bench_udp_load loads
the daemon's UDP port and bench_freshness_probe (UDP only) notes when each value first shows.
The reference's arrival is what any client of the source gets; the first reply after it is
meteremu's part."""

import os
import statistics
import subprocess
import time

from benchlib import procs
from benchlib.report import ms
from benchlib.timing import LOAD_NICE, PROBE_NICE, PROBE_PAUSE_US

# A new value this often (a meter pushes every 1 s or so; faster gives more samples per
# second of benchmark) and this many of them; the first is left out (the daemon's first
# reading).
CHANGES = 30
CHANGE_EVERY_MS = 300
LOAD_CLIENTS = 4
# The reference, the probe and the load run from before the first value to after the last,
# stopped then by their pids; this bounds them should the run fail in between.
BOUND_SECONDS = CHANGES * CHANGE_EVERY_MS / 1000 + 60
# The probe polls this long before the first value, and this long after the last.
PROBE_LEAD = 1.0
LAST_VALUE_GRACE = 1.0
# A sighting carries a value when it is within this of the value sent (sums of 0.1 W).
MATCH_WATTS = 0.05

PUSH_DAEMON_CONFIG = """\
log_level = "info"
[frontend]
type = "shelly"
mac = "0A1B2C3D4E60"
mdns = false
listen_address = "127.0.0.1"
http_port = 0
udp_ports = [0]
# The load asks far faster than the source sends, from one address: answer every poll.
udp_repeat_policy = "repeat"
http_repeat_policy = "repeat"
websocket_repeat_policy = "repeat"
[backend]
{backend}"""


def start_daemon(bench, name, backend, inside=()):
    """A meteremu reading the push source `backend` (its [backend] lines), run through
    `inside` (a namespace's `ip netns exec`); the daemon and its UDP port."""
    path = os.path.join(bench.workdir, f"{name}.toml")
    with open(path, "w") as config:
        config.write(PUSH_DAEMON_CONFIG.format(backend=backend))
    daemon = procs.Process(name, [*inside, os.path.join(bench.args.build, "src", "meteremu"),
                                  "--config", path], bench.workdir, bench.env)
    port = int(daemon.wait_for(r"serving UDP on [^\n]*:(\d+)").group(1))
    return daemon, port


def lines_of(output, word):
    """The fields after `word` of each output line that starts with it."""
    return [line.split()[1:] for line in output.splitlines() if line.startswith(word + " ")]


def run_sender(bench, name, sender, bound):
    """The sender's output once it is done: `sender` is the argv of a program run to its end,
    or a function that has a running source send its values and returns its output."""
    if callable(sender):
        return sender(bound)
    process = procs.Process(f"{name}_sender", sender, bench.workdir)
    try:
        process.popen.wait(bound)
        return process.output()
    finally:
        process.stop()


def measure(bench, name, udp_port, sender, word, inside=()):
    """Runs the probe and the UDP load (through `inside`) against `udp_port` while the sender
    (see run_sender) sends; it prints "<word> <ns> <key> [...] <watts>" per value. The probe
    and the load start first and end (by their pids) once the sender is done and the last
    value had time to show: on a busy machine starting a process can take longer than a value
    lasts. Returns (sends [(ns, key, watts)], sightings [(ns, watts)], probe totals line)."""
    bound = BOUND_SECONDS
    load = subprocess.Popen(["nice", "-n", str(LOAD_NICE), *inside,
                             bench.program("bench_udp_load"), "--port", str(udp_port),
                             "--clients", str(LOAD_CLIENTS), "--seconds", str(bound),
                             "--warmup", "0"], stdout=subprocess.DEVNULL)
    probe = procs.Process(f"{name}_probe", [*inside, bench.program("bench_freshness_probe"),
                                            "--udp-port", str(udp_port), "--seconds",
                                            str(bound), "--pause-us", str(PROBE_PAUSE_US)],
                          bench.workdir, nice=PROBE_NICE)
    try:
        time.sleep(PROBE_LEAD)
        sent = run_sender(bench, name, sender, bound)
        time.sleep(LAST_VALUE_GRACE)
    finally:
        probe.stop(timeout=10)  # SIGTERM: the probe prints its totals and exits
        if load.poll() is None:
            load.terminate()
        load.wait(10)
    sends = [(int(fields[0]), fields[1], float(fields[-1])) for fields in lines_of(sent, word)]
    output = probe.output()
    sightings = [(int(fields[0]), float(fields[1])) for fields in lines_of(output, "udp")]
    totals = output.splitlines()[-1] if output else ""
    return sends, sightings, totals


def first_sighting(sightings, watts, after):
    for ns, value in sightings:
        if ns > after and abs(value - watts) < MATCH_WATTS:
            return ns
    return None


def report(bench, name, source_words, reference_words, sends, sightings, arrivals, totals):
    """The rows of one push source. `arrivals` maps a send's key to the moment the reference
    had it."""
    ages, references, added = [], [], []
    for sent_at, key, watts in sends[1:]:
        seen = first_sighting(sightings, watts, sent_at)
        arrived = arrivals.get(key)
        if seen is None or arrived is None:
            continue
        ages.append((seen - sent_at) / 1e6)
        references.append((arrived - sent_at) / 1e6)
        added.append((seen - arrived) / 1e6)
    stale = int(totals.split("stale=")[1].split()[0]) if "stale=" in totals else -1
    # As for the Envoy's freshness: every value but one seen (a value can be gone before the
    # probe's next request when the machine stalls the probe).
    complete = len(sends) == CHANGES and len(added) >= CHANGES - 2
    median_added = statistics.median(added) if added else None
    bench.report.row(
        "push", f"{name} under UDP load: {source_words} → first UDP reply carrying it "
        f"(median of {len(ages)}; worst {ms(max(ages) if ages else None)})",
        ms(statistics.median(ages) if ages else None),
        f"{ms(statistics.median(references) if references else None)} ({reference_words}; "
        f"worst {ms(max(references) if references else None)})",
        f"{'+' if median_added is not None and median_added >= 0 else ''}{ms(median_added)} "
        f"added", "< 1 ms added at the median",
        bool(complete and stale == 0 and median_added is not None and median_added < 1.0))
    bench.report.row(
        "push", f"{name}: meteremu's part per sample, the reference's arrival → first UDP "
        f"reply (worst; median {ms(median_added)}); older value served after a newer: {stale}",
        ms(max(added) if added else None), "", "", "", None)
    if not complete or stale:
        bench.report.note(f"push {name}: {len(added)} of {CHANGES - 1} values seen by both the "
                          f"probe and the reference, {len(sends)} of {CHANGES} sent; {stale} "
                          f"replies went back to an older value.")


def skipped(bench, name, reason):
    bench.report.skip("push", f"{name}: source sample → first UDP reply carrying it", reason)
