# SPDX-License-Identifier: MIT
"""The fake gateway of a benchmark run: a copy of a captured Envoy (firmware 7, three-phase
with CTs) served over HTTPS by tests/fakes' fake_envoy, behind bench_tcp_relay, with an owner
token shaped like Enlighten's. The copy's meter readings can be rewritten while it runs, so
each new reading carries a value of our choosing."""

import base64
import json
import os
import shutil
import subprocess
import time

FIXTURE = "7.6.175_with_cts_3phase"
READINGS = "ivp_meters_readings"


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def owner_token(serial):
    """A JWT as Enlighten issues for an owner (the fake does not check signatures)."""
    expires = int(time.time()) + 365 * 86400
    header = {"kid": "bench", "typ": "JWT", "alg": "ES256"}
    payload = {"aud": serial, "iss": "Entrez", "enphaseUser": "owner", "exp": expires,
               "iat": expires - 365 * 86400, "jti": "bench", "username": "bench@example.com"}
    return ".".join([_b64url(json.dumps(header).encode()), _b64url(json.dumps(payload).encode()),
                     _b64url(b"not-a-signature")])


class FakeSite:
    def __init__(self, fixtures_root, workdir):
        self.folder = os.path.join(workdir, "envoy")
        shutil.copytree(os.path.join(fixtures_root, FIXTURE), self.folder)
        with open(os.path.join(self.folder, "info")) as info:
            text = info.read()
        self.serial = text.split("<sn>")[1].split("</sn>")[0]
        self.token = owner_token(self.serial)
        with open(os.path.join(self.folder, "ivp_meters")) as meters:
            kinds = {meter["eid"]: meter["measurementType"] for meter in json.load(meters)}
        self.net_eid = next(eid for eid, kind in kinds.items() if kind == "net-consumption")
        with open(os.path.join(self.folder, READINGS)) as readings:
            self.readings = json.load(readings)
        self.cert = os.path.join(workdir, "envoy.crt")
        self.key = os.path.join(workdir, "envoy.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-keyout", self.key, "-out", self.cert],
                       check=True, capture_output=True, timeout=60)

    def set_grid_power(self, watts):
        """Rewrites the readings so the grid (net-consumption) meter reads `watts`, spread
        over its three phases; atomically, as the fake reads the file per request."""
        for meter in self.readings:
            if meter["eid"] != self.net_eid:
                continue
            meter["activePower"] = meter["instantaneousDemand"] = watts
            for channel in meter.get("channels", []):
                channel["activePower"] = channel["instantaneousDemand"] = watts / 3
        path = os.path.join(self.folder, READINGS)
        with open(path + ".new", "w") as readings:
            json.dump(self.readings, readings)
        os.replace(path + ".new", path)
