# SPDX-License-Identifier: MIT
"""One phase per push source, each a function in PUSH_SOURCES: it builds the source and a
plain receiver of the same messages (the reference), starts a second meteremu reading the
source, and hands both to push.measure() and push.report(). Every process is stopped by its
pid, every network is loopback or a pair of namespaces built here and deleted after."""

import os
import pwd
import shutil
import signal
import subprocess

from benchlib import procs, push

MQTT_TOPIC = "bench/grid/power"
HA_ENTITY = "sensor.grid_power"
MOSQUITTO = "/usr/sbin/mosquitto"
IP = "/usr/sbin/ip"
# An SMA Energy Meter 2.0 of tests/fixtures/sma_speedwire.
SMA_CAPTURE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "fixtures", "sma_speedwire",
    "em20_fw2.0.18R_mlasch_pkt0_import1054W.bin")

MOSQUITTO_CONFIG = """\
per_listener_settings false
allow_anonymous true
persistence false
log_dest stderr
user {user}
listener {port} 127.0.0.1
"""


def reference_arrivals(process):
    """The first arrival of each key, from the reference's "received <ns> <key>" lines."""
    arrivals = {}
    for fields in push.lines_of(process.output(), "received"):
        arrivals.setdefault(fields[1], int(fields[0]))
    return arrivals


def start_mosquitto(bench):
    """A broker of our own on a free loopback port (mosquitto cannot listen on port 0: a
    port taken in between is tried again); the process and its port."""
    home = os.path.join(bench.workdir, "mosquitto")
    os.makedirs(home, exist_ok=True)
    failures = ""
    for attempt in range(5):
        port = procs.free_port()
        config = os.path.join(home, f"mosquitto-{attempt}.conf")
        with open(config, "w") as out:
            # As root mosquitto would switch to the user "mosquitto": run as ourselves.
            out.write(MOSQUITTO_CONFIG.format(user=pwd.getpwuid(os.getuid()).pw_name, port=port))
        broker = procs.Process(f"mosquitto-{attempt}", [MOSQUITTO, "-c", config], bench.workdir)
        try:
            broker.wait_for(r"mosquitto version \S+ running", 10)
            return broker, port
        except RuntimeError as error:
            broker.stop()
            failures += str(error)
    raise RuntimeError("mosquitto did not start:\n" + failures[-2000:])


def mqtt_phase(bench):
    """mosquitto on loopback; bench_mqtt_client publishes the net power on one topic, and a
    second bench_mqtt_client subscribed to it is the reference."""
    name = "MQTT"
    if not os.path.exists(bench.program("bench_mqtt_client")):
        return push.skipped(bench, name, "skipped: built without the mqtt backend")
    if not os.access(MOSQUITTO, os.X_OK):
        return push.skipped(bench, name, f"skipped: no {MOSQUITTO} (Debian package mosquitto)")
    broker, port = start_mosquitto(bench)
    processes = [broker]
    try:
        daemon, udp_port = push.start_daemon(bench, "meteremu-mqtt", (
            f'type = "mqtt"\nbroker = "mqtt://127.0.0.1:{port}"\ntopic = "{MQTT_TOPIC}"\n'))
        processes.append(daemon)
        daemon.wait_for("subscribed to")
        reference = procs.Process("mqtt_reference", [
            bench.program("bench_mqtt_client"), "--subscribe", "--port", str(port), "--topic",
            MQTT_TOPIC, "--seconds", str(push.BOUND_SECONDS)], bench.workdir)
        processes.append(reference)
        reference.wait_for("subscribed")
        sends, sightings, totals = push.measure(bench, "mqtt", udp_port, [
            bench.program("bench_mqtt_client"), "--publish", "--port", str(port), "--topic",
            MQTT_TOPIC, "--changes", str(push.CHANGES), "--every-ms",
            str(push.CHANGE_EVERY_MS)], "published")
    finally:
        for process in reversed(processes):
            process.stop()
    push.report(bench, name, "publish", "plain libmosquitto subscriber", sends, sightings,
                reference_arrivals(reference), totals)
    bench.report.note(
        f"Push sources: {push.CHANGES} values, one every {push.CHANGE_EVERY_MS} ms, each noted "
        f"on CLOCK_MONOTONIC as it leaves the sender; bench_udp_load ({push.LOAD_CLIENTS} "
        f"clients) loads a second meteremu reading that source while bench_freshness_probe "
        f"(UDP only) notes the first reply with each; the first value is left out. \"added\" "
        f"is, per value, the first reply − the reference's arrival (a plain receiver of the "
        f"same messages, at meteremu's priority): an upper bound, as it includes the probe's "
        f"pause and round trip. MQTT: mosquitto on loopback, QoS 0, a plain number on one "
        f"topic.")


class VethNetwork:
    """Two namespaces joined by a veth pair, as tests/support/netns.cpp builds them: the
    daemon and the reference in A, the meter in B."""

    def __init__(self, name):
        self.a, self.b = f"{name}-a", f"{name}-b"
        subnet = f"10.214.{os.getpid() % 250}."
        self.address_a, self.address_b = subnet + "1", subnet + "2"
        self.made = []
        try:
            for ns in (self.a, self.b):
                self.ip("netns", "add", ns)
                self.made.append(ns)
            self.ip("-n", self.a, "link", "add", "veth-a", "type", "veth", "peer", "name",
                    "veth-b", "netns", self.b)
            for ns, device, address in ((self.a, "veth-a", self.address_a),
                                        (self.b, "veth-b", self.address_b)):
                self.ip("-n", ns, "addr", "add", address + "/24", "dev", device)
                self.ip("-n", ns, "link", "set", "lo", "up")
                self.ip("-n", ns, "link", "set", device, "up")
        except (subprocess.SubprocessError, OSError):
            self.delete()
            raise

    @staticmethod
    def ip(*arguments):
        subprocess.run([IP, *arguments], check=True, timeout=10, capture_output=True)

    def inside(self, ns):
        return [IP, "netns", "exec", ns]

    def delete(self):
        # Deleting a namespace deletes its end of the veth, and with it the pair.
        for ns in reversed(self.made):
            subprocess.run([IP, "netns", "del", ns], timeout=10, check=False,
                           capture_output=True)
        self.made = []


def sma_phase(bench):
    """In namespace A meteremu (interface veth-a) and a plain socket joined to the group, the
    reference; from namespace B bench_sma_meter multicasts the capture with a new power."""
    name = "SMA Speedwire"
    if not os.path.exists(bench.program("bench_sma_meter")):
        return push.skipped(bench, name, "skipped: built without the sma_speedwire backend")
    if os.geteuid() != 0:
        return push.skipped(bench, name, "skipped: needs root (it multicasts inside network "
                                         "namespaces it creates)")
    if not shutil.which(IP):
        return push.skipped(bench, name, f"skipped: no {IP} (Debian package iproute2)")
    network = VethNetwork(f"meteremu-bench-{os.getpid()}")
    processes = []
    try:
        daemon, udp_port = push.start_daemon(
            bench, "meteremu-sma", 'type = "sma_speedwire"\ninterface = "veth-a"\n',
            network.inside(network.a))
        processes.append(daemon)
        daemon.wait_for("listening for SMA meters")
        reference = procs.Process("sma_reference", [
            *network.inside(network.a), bench.program("bench_sma_meter"), "--listen", "--on",
            network.address_a, "--seconds", str(push.BOUND_SECONDS)], bench.workdir)
        processes.append(reference)
        reference.wait_for("listening")
        sends, sightings, totals = push.measure(bench, "sma", udp_port, [
            *network.inside(network.b), bench.program("bench_sma_meter"), "--send",
            "--capture", SMA_CAPTURE, "--from", network.address_b, "--changes", str(push.CHANGES),
            "--every-ms", str(push.CHANGE_EVERY_MS)], "sent", network.inside(network.a))
    finally:
        for process in reversed(processes):
            process.stop()
        network.delete()
    push.report(bench, name, "datagram sent", "plain socket joined to the group", sends,
                sightings, reference_arrivals(reference), totals)
    bench.report.note(
        f"SMA Speedwire: tests/fixtures/sma_speedwire/{os.path.basename(SMA_CAPTURE)} "
        f"multicast over a veth pair between two network namespaces made for the run, each "
        f"with a new ticker and a new power on every phase.")


def start_fake_home_assistant(bench):
    """bench_home_assistant --serve: the fake on a loopback port, waiting for SIGUSR1 to send
    its changes; the process, its URL and a file holding its token (as the daemon reads it)."""
    server = procs.Process("ha_server", [
        bench.program("bench_home_assistant"), "--serve", "--entity", HA_ENTITY, "--changes",
        str(push.CHANGES), "--every-ms", str(push.CHANGE_EVERY_MS), "--seconds",
        str(push.BOUND_SECONDS + 60)], bench.workdir)
    try:
        match = server.wait_for(r"serving (http://127\.0\.0\.1:\d+) token (\S+)\n")
    except RuntimeError:
        server.stop()
        raise
    token_file = os.path.join(bench.workdir, "ha-token")
    with open(os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(match.group(2) + "\n")
    return server, match.group(1), token_file


def signalled_changes(server):
    """measure()'s sender for a source already running: SIGUSR1 starts its changes, "done"
    ends them."""
    def send(bound):
        os.kill(server.pid, signal.SIGUSR1)
        server.wait_for(r"\ndone\n", bound)
        return server.output()
    return send


def ha_phase(bench):
    """bench_home_assistant --serve (the tests' fake Home Assistant) on loopback pushes state
    changes of one entity over its WebSocket API; bench_home_assistant --listen, a plain
    client subscribed to the entity, is the reference."""
    name = "Home Assistant"
    if not os.path.exists(bench.program("bench_home_assistant")):
        return push.skipped(bench, name, "skipped: built without the home_assistant backend or "
                                         "the tests (its fake is the source)")
    server, url, token_file = start_fake_home_assistant(bench)
    processes = [server]
    try:
        daemon, udp_port = push.start_daemon(bench, "meteremu-ha", (
            f'type = "home_assistant"\nurl = "{url}"\ntoken_file = "{token_file}"\n'
            f'entity = "{HA_ENTITY}"\n'))
        processes.append(daemon)
        daemon.wait_for("subscribed to")
        reference = procs.Process("ha_reference", [
            bench.program("bench_home_assistant"), "--listen", "--port", url.rsplit(":", 1)[1],
            "--token-file", token_file, "--entity", HA_ENTITY, "--seconds",
            str(push.BOUND_SECONDS)], bench.workdir)
        processes.append(reference)
        reference.wait_for("subscribed")
        sends, sightings, totals = push.measure(bench, "ha", udp_port, signalled_changes(server),
                                                "sent")
    finally:
        for process in reversed(processes):
            process.stop()
    push.report(bench, name, "state change sent", "plain WebSocket client subscribed to it",
                sends, sightings, reference_arrivals(reference), totals)
    bench.report.note(
        "Home Assistant: the tests' fake Home Assistant (bench_home_assistant) on loopback, one "
        "power entity changed by subscribe_entities' compressed \"c\" events; a change is "
        "noted as the fake hands its frame to its WebSocket server.")


PUSH_SOURCES = [mqtt_phase, sma_phase, ha_phase]


def push_phases(bench):
    """Every push source's phase; one that cannot run its source fails its own row only."""
    for phase in PUSH_SOURCES:
        try:
            phase(bench)
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            bench.report.row("push", f"{phase.__name__}: could not run", str(error)[:300],
                             "", "", "runs", False)
