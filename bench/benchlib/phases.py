# SPDX-License-Identifier: MIT
"""The benchmark's setup and its phases in order; the loads themselves are in loads.py."""

import os
import socket
import statistics
import time
import urllib.request

from benchlib import loads, measure, meters, procs, push_sources, timing
from benchlib.report import Report, mib
from benchlib.site import FakeSite

# A thousand WebSocket clients, the fan-out of the issue.
FANOUT_CLIENTS = 1000
# Memory "after the loads" is read this many seconds after the last one ended.
AFTER_LOADS_SETTLE = 3
# Start → READY=1 is measured on this many starts (the first is the daemon that stays).
READY_STARTS = 5

# Every transport on (mDNS too, see Bench.env); max_websocket_clients for the fan-out's
# thousand clients (the reference's libmicrohttpd gets the same connection limit).
DAEMON_CONFIG = """\
log_level = "info"
[frontend]
type = "shelly"
mac = "0A1B2C3D4E5F"
mdns = true
listen_address = "127.0.0.1"
http_port = {http_port}
udp_ports = [{udp_port}, {udp_port2}]
max_websocket_clients = 1000
# The load generators ask far faster than the source refreshes, from one address: answer
# every request (the sample gate still decides; "hold", the default, would answer one per
# reading).
udp_repeat_policy = "repeat"
http_repeat_policy = "repeat"
websocket_repeat_policy = "repeat"
[backend]
type = "envoy"
host = "127.0.0.1:{envoy_port}"
token = "{token}"
poll_interval = 1.0
verify_ssl = false
"""

GET_STATUS = "/rpc/EM.GetStatus?id=0"
UDP_REQUEST = b'{"id":1,"src":"bench","method":"EM.GetStatus","params":{"id":0}}'


class Bench:
    def __init__(self, args, workdir, fixtures):
        self.args = args
        self.workdir = workdir
        self.fixtures = fixtures
        self.programs = os.path.join(args.build, "bench")
        self.report = Report()
        self.load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        # Avahi's client talks to avahi-daemon over the D-Bus system bus: pointed at a bus
        # that does not exist, mDNS runs (thread, client, retries) but cannot reach the
        # network, which a benchmark must not touch. The reference gets the same.
        self.env = {"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={workdir}/no-system-bus",
                    "STATE_DIRECTORY": workdir}

    def program(self, name):
        return os.path.join(self.programs, name)

    def run(self):
        if self.args.push_only:
            push_sources.push_phases(self)
            return
        if self.args.meters_only:
            self.start_gateway()
            meters.meters_phase(self)
            return
        self.start_gateway()
        self.start_daemon()
        self.start_references()
        self.idle_phase()
        loads.http_phase(self)
        loads.udp_phase(self)
        timing.freshness_phase(self)
        push_sources.push_phases(self)
        timing.fanout_phase(self, FANOUT_CLIENTS)
        self.resources_row(f"{AFTER_LOADS_SETTLE} s after the loads", self.after_loads())
        meters.meters_phase(self)

    # --- setup -----------------------------------------------------------------------------

    def start_gateway(self):
        self.site = FakeSite(self.fixtures, self.workdir)
        self.site.set_grid_power(1000.0)
        self.envoy = procs.Process("fake_envoy", [
            os.path.join(self.args.build, "tests", "fake_envoy"), "--fixtures", self.site.folder,
            "--tls", self.site.cert, self.site.key], self.workdir)
        self.envoy_port = int(self.envoy.wait_for(r"port=(\d+)").group(1))
        self.relay = procs.Process("relay", [self.program("bench_tcp_relay"), "--upstream-port",
                                             str(self.envoy_port)], self.workdir)
        self.relay_port = int(self.relay.wait_for(r"port=(\d+)").group(1))

    def write_config(self, name, envoy_port):
        path = os.path.join(self.workdir, name)
        ports = {"http_port": procs.free_port(), "udp_port": procs.free_port(socket.SOCK_DGRAM),
                 "udp_port2": procs.free_port(socket.SOCK_DGRAM)}
        with open(path, "w") as config:
            config.write(DAEMON_CONFIG.format(envoy_port=envoy_port, token=self.site.token,
                                              **ports))
        return path, ports

    def launch(self, name, config):
        """The daemon on `config` and its start → READY=1 time in ms."""
        notify = procs.NotifySocket(self.workdir)
        env = dict(self.env, NOTIFY_SOCKET=notify.path)
        before = time.monotonic_ns()
        daemon = procs.Process(name, [os.path.join(self.args.build, "src", "meteremu"),
                                      "--config", config], self.workdir, env)
        try:
            ready = notify.wait_ready()
        finally:
            notify.close()
        return daemon, (ready - before) / 1e6

    def start_daemon(self):
        """The daemon that stays (polling through the relay), plus starts that only measure
        READY=1 (polling the gateway directly, so the relay sees one poller)."""
        config, ports = self.write_config("meteremu.toml", self.relay_port)
        self.daemon, first = self.launch("meteremu", config)
        self.http_port, self.udp_port = ports["http_port"], ports["udp_port"]
        times = [first]
        for index in range(1, READY_STARTS):
            extra_config, _ = self.write_config(f"meteremu-start{index}.toml", self.envoy_port)
            extra, ready_ms = self.launch(f"meteremu-start{index}", extra_config)
            extra.stop()
            times.append(ready_ms)
        worst = max(times)
        self.report.row("start", f"start → READY=1 (worst of {len(times)}; median "
                        f"{statistics.median(times):.1f} ms)", f"{worst:.1f} ms", "", "",
                        "≤ 100 ms", worst <= 100)
        self.wait_for_reading()

    def wait_for_reading(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url(GET_STATUS), timeout=2) as reply:
                    self.body = reply.read()
                    self.server_header = reply.headers["Server"]
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("meteremu served no reading from the fake gateway:\n"
                           + self.daemon.output()[-2000:])

    def url(self, path, port=None):
        return f"http://127.0.0.1:{port or self.http_port}{path}"

    def udp_reply(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.settimeout(2)
            client.sendto(UDP_REQUEST, ("127.0.0.1", self.udp_port))
            return client.recv(9000)

    def start_references(self):
        body_path = os.path.join(self.workdir, "em_getstatus.json")
        with open(body_path, "wb") as body:
            body.write(self.body)
        mhd = self.daemon.wait_for(r"libmicrohttpd: (\d+) threads?, (\d+) connections, "
                                   r"(\d+) bytes each, (\d+) s timeout")
        self.mhd = mhd.group(0).split(": ", 1)[1]
        self.reference = procs.Process("http_reference", [
            self.program("bench_http_reference"), "--body", body_path, "--threads",
            mhd.group(1), "--connections", mhd.group(2), "--memory", mhd.group(3), "--timeout",
            mhd.group(4), "--server", self.server_header], self.workdir, self.env)
        self.reference_port = int(self.reference.wait_for(r"port=(\d+)").group(1))
        reply_path = os.path.join(self.workdir, "em_getstatus_udp.json")
        with open(reply_path, "wb") as reply:
            reply.write(self.udp_reply())
        self.udp_reference = procs.Process("udp_reference", [
            self.program("bench_udp_reference"), "--reply", reply_path], self.workdir)
        self.udp_reference_port = int(self.udp_reference.wait_for(r"port=(\d+)").group(1))
        self.nginx_port = loads.start_nginx(self, body_path)
        self.report.note(
            f"HTTP: meteremu and the bare reference both run libmicrohttpd 0.9.75 with "
            f"MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | "
            f"MHD_USE_SUPPRESS_DATE_NO_CLOCK | MHD_USE_ERROR_LOG | MHD_ALLOW_UPGRADE and the "
            f"same numbers ({self.mhd}; threads: one per core, at most 4; connections: "
            f"max_connections + max_websocket_clients + 8); the reference answers every "
            f"request with one "
            f"response built at start ({len(self.body)} bytes, the same Content-Type and "
            f"Server headers). nginx: {loads.NGINX_WORKERS} workers, access log off, "
            f"the same body from a file.")

    # --- phases ----------------------------------------------------------------------------

    def idle_phase(self):
        """poll_interval = 1.0, no client: CPU over the phase from /proc/PID/stat."""
        ticks = measure.cpu_ticks(self.daemon.pid)
        reference_ticks = measure.cpu_ticks(self.reference.pid)
        start = time.monotonic()
        time.sleep(self.args.idle)
        elapsed = time.monotonic() - start
        used = (measure.cpu_ticks(self.daemon.pid) - ticks) / measure.CLOCK_TICKS
        reference_used = (measure.cpu_ticks(self.reference.pid) - reference_ticks) \
            / measure.CLOCK_TICKS
        percent = 100 * used / elapsed
        self.report.row("idle", f"CPU over {elapsed:.0f} s idle, polling the gateway every "
                        f"1.0 s (utime+stime, /proc/PID/stat)", f"{percent:.3f} %",
                        f"{100 * reference_used / elapsed:.3f} %", "", "≤ 0.2 % of a core",
                        percent <= 0.2)
        self.resources_row(f"after {elapsed:.0f} s", self.sample_resources())

    def sample_resources(self):
        return {"ours": measure.resources(self.daemon.pid),
                "reference": measure.resources(self.reference.pid)}

    def after_loads(self):
        """A few seconds after the last load, as a battery's next poll would find it."""
        time.sleep(AFTER_LOADS_SETTLE)
        return self.sample_resources()

    def resources_row(self, when, sample):
        ours, reference = sample["ours"], sample["reference"]
        limit = reference["rss_kib"] + 2048
        self.report.row("memory", f"RSS {when}", mib(ours["rss_kib"]),
                        mib(reference["rss_kib"]),
                        f"+{(ours['rss_kib'] - reference['rss_kib']) / 1024:.1f} MiB",
                        "≤ reference + 2 MiB" if "loads" in when else "",
                        ours["rss_kib"] <= limit if "loads" in when else None)
        self.report.row("memory", f"peak RSS (VmHWM) {when}", mib(ours["peak_kib"]),
                        mib(reference["peak_kib"]))
        self.report.row("memory", f"private dirty {when}", mib(ours["private_dirty_kib"]),
                        mib(reference["private_dirty_kib"]))
        self.report.row("memory", f"open fds / threads {when}",
                        f"{ours['fds']} / {ours['threads']}",
                        f"{reference['fds']} / {reference['threads']}")
