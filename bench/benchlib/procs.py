# SPDX-License-Identifier: MIT
"""Processes of a benchmark run: started with their output in a log file, waited for by a
line they print, and stopped by their own process id (SIGTERM, then SIGKILL after a bound).
Nothing is ever signalled by name."""

import os
import re
import resource
import signal
import socket
import subprocess
import time

_started = []


def _raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 65536)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _prepare(nice):
    def prepare():
        _raise_file_limit()
        if nice and (nice > 0 or os.geteuid() == 0):
            os.nice(nice)
    return prepare


class Process:
    """A child process whose stdout and stderr go to <workdir>/<name>.log."""

    def __init__(self, name, argv, workdir, env=None, nice=0):
        self.name = name
        self.log_path = os.path.join(workdir, name + ".log")
        self._log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.started_ns = time.monotonic_ns()
        self.popen = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=full_env,
                                      preexec_fn=_prepare(nice))
        _started.append(self)

    @property
    def pid(self):
        return self.popen.pid

    def output(self):
        with open(self.log_path, "rb") as log:
            return log.read().decode("utf-8", "replace")

    def wait_for(self, pattern, timeout=15.0):
        """The first match of `pattern` in the output; raises after `timeout` or an exit."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            match = regex.search(self.output())
            if match:
                return match
            if self.popen.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"{self.name}: no '{pattern}' within {timeout} s; output:\n"
                           + self.output()[-2000:])

    def stop(self, timeout=5.0):
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout)
        self._log.close()
        if self in _started:
            _started.remove(self)


def stop_all():
    """Stops every process this run started and still runs, newest first."""
    for process in reversed(list(_started)):
        try:
            process.stop()
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"bench: could not stop {process.name} (pid {process.pid}): {error}")


def free_port(kind=socket.SOCK_STREAM):
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(argv, timeout):
    """Runs a measuring program to its end; its stdout (raises on failure)."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-1000:]}")
    return done.stdout


class NotifySocket:
    """A NOTIFY_SOCKET of our own: the moment READY=1 arrives is the moment the daemon said
    it serves."""

    def __init__(self, workdir):
        self.path = os.path.join(workdir, f"notify-{os.getpid()}-{time.monotonic_ns()}")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)

    def wait_ready(self, timeout=10.0):
        """CLOCK_MONOTONIC ns when READY=1 came."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                message = self.sock.recv(4096)
            except socket.timeout:
                break
            if b"READY=1" in message.split(b"\n"):
                return time.monotonic_ns()
        raise RuntimeError("no READY=1 on the notify socket")

    def close(self):
        self.sock.close()
        os.unlink(self.path)
