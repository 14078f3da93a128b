#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The status page (docs/status.md) in a real browser, served by the built daemon.

Starts `meteremu --config FILE` with the demo backend on a free loopback port, opens
http://127.0.0.1:PORT/ in Debian's headless chromium through selenium and checks what a person
would see: the page draws without console errors, the total follows the daemon (and equals
what a battery reads from EM.GetStatus), the history plot is drawn, a battery polling over UDP
is listed among the clients, the page stays small and a phone-wide window (360 px) needs no
horizontal scrolling. Screenshots at 390 and 1280 px are left in the working directory
(status-page-390.png, status-page-1280.png; build/tests under ctest).

Usage: status_page_browser_test.py PATH_TO_METEREMU. Exits 77 (skip) only when chromium,
chromedriver or python3-selenium are not installed.
"""
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SKIP = 77
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
START_SECONDS = 10.0
PAGE_LIMIT_BYTES = 20480
NARROW_WIDTH = 360
# status.json carries powers with one decimal, EM.GetStatus with three.
WATTS_TOLERANCE = 0.05 + 1e-9

CONFIG = """[frontend]
mac = "02:00:5E:10:20:55"
listen_address = "127.0.0.1"
http_port = {port}
udp_ports = [{udp_port}]
mdns = false
http_repeat_policy = "repeat"
udp_repeat_policy = "repeat"
[backend]
type = "demo"
poll_interval = 1.5
"""

METEREMU = None  # set from argv in main()
# A battery on an address of its own, as on the LAN: the page lists it by that address.
BATTERY_ADDRESS = "127.0.0.77"
MARSTEK_POLL = b'{"id":1,"method":"EM.GetStatus","params":{"id":0}}'



def missing_tools():
    """Why the browser test cannot run here, or None when it can."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    if importlib.util.find_spec("selenium") is None:
        return "python3-selenium is not installed"
    return None


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url, timeout=2.0):
    """(status, content type, body bytes) of a GET."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


def wait_for(condition, seconds, step=0.25):
    """condition()'s first truthy value within seconds, else None."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--window-size=1280,800"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    return driver


class StatusPageInBrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.directory = tempfile.mkdtemp(prefix="meteremu-status-page-")
        cls.port = free_port()
        cls.udp_port = free_port(socket.SOCK_DGRAM)
        cls.base = f"http://127.0.0.1:{cls.port}"
        config = os.path.join(cls.directory, "meteremu.toml")
        with open(config, "w", encoding="utf-8") as file:
            file.write(CONFIG.format(port=cls.port, udp_port=cls.udp_port))
        cls.log_path = os.path.join(cls.directory, "meteremu.log")
        cls.log = open(cls.log_path, "w", encoding="utf-8")
        cls.daemon = subprocess.Popen([METEREMU, "--config", config], stdin=subprocess.DEVNULL,
                                      stdout=cls.log, stderr=subprocess.STDOUT)
        cls.driver = None
        try:
            cls.wait_for_daemon()
            cls.driver = start_browser()
            cls.driver.get(cls.base + "/")
            cls.loaded_at = time.monotonic()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def wait_for_daemon(cls):
        def answers():
            if cls.daemon.poll() is not None:
                return "exited"
            try:
                return http_get(cls.base + "/status.json", timeout=1.0)[0] == 200
            except OSError:
                return False

        state = wait_for(answers, START_SECONDS, step=0.1)
        if state is not True:
            cls.log.flush()
            with open(cls.log_path, encoding="utf-8", errors="replace") as file:
                log = file.read()
            what = ("meteremu exited before GET /status.json answered" if state == "exited" else
                    f"GET /status.json does not answer within {START_SECONDS} s")
            raise AssertionError(f"{what}; its output:\n{log}")

    @classmethod
    def tearDownClass(cls):
        if cls.driver is not None:
            cls.driver.quit()
        if cls.daemon.poll() is None:
            cls.daemon.terminate()  # SIGTERM to this test's own daemon, by its pid
            try:
                cls.daemon.wait(timeout=10)
            except subprocess.TimeoutExpired:
                cls.daemon.kill()
                cls.daemon.wait(timeout=10)
        cls.log.close()
        shutil.rmtree(cls.directory, ignore_errors=True)

    def since_load(self, seconds):
        """Sleeps until the page has been open for seconds."""
        time.sleep(max(0.0, self.loaded_at + seconds - time.monotonic()))

    def page_watts(self):
        """#total's data-watts as a number, or None while the page shows no reading."""
        text = self.driver.find_element("id", "total").get_attribute("data-watts")
        try:
            return float(text)
        except (TypeError, ValueError):
            return None

    def daemon_watts(self):
        body = http_get(self.base + "/rpc/EM.GetStatus?id=0")[2]
        return json.loads(body)["total_act_power"]

    def test_console_has_no_errors_or_warnings(self):
        self.since_load(3.0)
        entries = self.driver.get_log("browser")
        bad = [e for e in entries if e.get("level") in ("SEVERE", "WARNING")]
        self.assertEqual(bad, [], "the browser console reports problems")

    def test_total_changes_with_the_demo(self):
        first = wait_for(self.page_watts, 8.0)
        self.assertIsNotNone(first, "#total never carries data-watts")
        changed = wait_for(lambda: self.page_watts() not in (None, first), 8.0)
        self.assertTrue(changed, f"#total stays at {first} W for 8 s")

    def test_total_equals_em_get_status(self):
        # The page is behind the daemon by up to two seconds (the document is rendered once a
        # second, the page fetches once a second) and the demo moves every 1.5 s: read both
        # right after the page took a new value, when they most likely agree.
        pairs = []
        for _ in range(5):
            before = self.page_watts()
            wait_for(lambda: self.page_watts() not in (None, before), 4.0, step=0.05)
            pair = (self.page_watts(), self.daemon_watts())
            pairs.append(pair)
            if pair[0] is not None and abs(pair[0] - pair[1]) <= WATTS_TOLERANCE:
                return
        self.fail(f"(page, EM.GetStatus) never agree within {WATTS_TOLERANCE:.2f} W: {pairs}")

    def test_plot_draws_the_total(self):
        self.since_load(4.0)
        line = self.driver.find_element("id", "plot-total")
        drawn = (line.get_attribute("d") or line.get_attribute("points") or "").strip()
        self.assertTrue(drawn, "#plot-total has no d/points after 4 s")

    def test_a_battery_polling_over_udp_is_in_the_clients_table(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as battery:
            battery.bind((BATTERY_ADDRESS, 0))
            battery.settimeout(2.0)
            for _ in range(2):
                battery.sendto(MARSTEK_POLL, ("127.0.0.1", self.udp_port))
                battery.recvfrom(4096)

        def listed():
            rows = self.driver.find_elements("css selector", "#clients tr")
            return [r.text for r in rows if BATTERY_ADDRESS in r.text]

        rows = wait_for(listed, 6.0)
        self.assertTrue(rows, "the battery never shows in the clients table")
        self.assertIn("UDP", rows[0])
        self.assertIn(str(self.udp_port), rows[0])
        self.assertIn("EM.GetStatus", rows[0])  # what it asked
        self.assertIn("2 answered", rows[0])  # and what it got

    def test_screenshots_at_a_phone_and_a_desktop_width(self):
        # Kept beside the test's output (ctest runs in build/tests) for a person to look at.
        self.since_load(3.0)
        for width, height, mobile in ((390, 844, True), (1280, 1000, False)):
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
            try:
                time.sleep(1.2)  # a redraw at the new width
                path = os.path.abspath(f"status-page-{width}.png")
                self.assertTrue(self.driver.save_screenshot(path), path)
                self.assertGreater(os.path.getsize(path), 10000, path)
            finally:
                self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def test_page_is_small_html(self):
        status, content_type, body = http_get(self.base + "/")
        self.assertEqual(status, 200)
        self.assertTrue(content_type.startswith("text/html"), content_type)
        self.assertLess(len(body), PAGE_LIMIT_BYTES)

    def test_phone_width_needs_no_horizontal_scroll(self):
        # A phone's viewport exactly (a desktop window has a minimum width of its own).
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": NARROW_WIDTH, "height": 800, "deviceScaleFactor": 1, "mobile": True})
        try:
            # The page redraws the plot on resize and on its next fetch; give it both.
            time.sleep(1.5)
            width = self.driver.execute_script("return document.documentElement.scrollWidth")
            self.assertLessEqual(width, NARROW_WIDTH + 1)
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def main():
    global METEREMU
    if len(sys.argv) != 2:
        print("usage: status_page_browser_test.py PATH_TO_METEREMU", file=sys.stderr)
        return 2
    METEREMU = os.path.abspath(sys.argv[1])
    reason = missing_tools()
    if reason:
        print(f"skipped: {reason}")
        return SKIP
    program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
