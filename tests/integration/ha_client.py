#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A Home Assistant-like client of the emulated Shelly, independent of meteremu's own code.

It follows what Home Assistant's Shelly integration (aioshelly) does on setup: GET /shelly,
then over the WebSocket on /rpc Shelly.GetDeviceInfo, then Shelly.GetConfig, Shelly.GetStatus
and Shelly.GetComponents {"dynamic_only": true} pipelined, then it listens to the NotifyStatus
pushes. The WebSocket framing is Debian's python3-websockets, which enforces RFC 6455 on the
server's frames (masking, opcodes, close handshake) and pings it throughout.

Usage: ha_client.py PORT POLL_INTERVAL_SECONDS. Prints one JSON line of measurements and
exits 0, or prints what failed and exits 1.
"""
import asyncio
import json
import re
import statistics
import sys
import time
import urllib.request

import websockets

LISTEN_SECONDS = 3.0


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def get_shelly(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/shelly", timeout=10) as response:
        check(response.headers.get_content_type() == "application/json",
              "GET /shelly must be application/json (aiohttp's resp.json() insists)")
        info = json.loads(response.read())
    check(info.get("gen") == 2, "gen must be 2, else Home Assistant takes it for Gen1")
    check(re.fullmatch(r"[0-9A-F]{12}", info["mac"]), "mac: 12 upper-case hex digits")
    date = int(info["fw_id"][:8])
    check(date >= 20230803, "firmware older than Home Assistant's minimum")
    check(date >= 20240213, "firmware too old for Shelly.GetComponents")
    check(info.get("model"), "an empty model aborts setup (firmware_not_fully_provisioned)")
    return info


async def call_all(ws, pending):
    """Receives until every id in `pending` is answered; keeps notifications aside."""
    answers, notifications = {}, []
    while pending - answers.keys():
        raw = await asyncio.wait_for(ws.recv(), timeout=30)
        check(isinstance(raw, str), "every frame must be TEXT (aioshelly: Invalid Message)")
        frame = json.loads(raw)
        if "id" in frame:
            answers[frame["id"]] = frame
        else:
            notifications.append((time.time(), raw, frame))
    return answers, notifications


def check_response(frame, device, src):
    check(frame.get("src") == device["id"], f"src must be the device id: {frame}")
    check(frame.get("dst") == src, f"dst must be our src: {frame}")
    check("result" in frame, f"no result: {frame}")
    return frame["result"]


def check_notification(received_at, raw, frame, device, src):
    check("id" not in frame, "a notification must not have an id (aioshelly answers it)")
    check(frame.get("method") == "NotifyStatus", f"unexpected method: {raw[:120]}")
    check(frame.get("src") == device["id"] and frame.get("dst") == src, f"bad src/dst: {raw[:120]}")
    check(re.search(r'"params":\{"ts":\d{10}\.\d\d,', raw), f"ts with 2 decimals: {raw[:120]}")
    em = frame["params"].get("em:0")
    check(em and em["id"] == 0 and "total_act_power" in em and "a_act_power" in em,
          f"em:0 with the measurements: {raw[:200]}")
    return received_at - frame["params"]["ts"]


async def session(port, poll_interval, device):
    src = "aios-140234"
    url = f"ws://127.0.0.1:{port}/rpc"
    # Pings every 0.3 s: the server must answer each within a second or the client closes.
    async with websockets.connect(url, ping_interval=0.3, ping_timeout=1.0,
                                  max_size=2**20) as ws:
        await ws.send(json.dumps({"id": 1, "method": "Shelly.GetDeviceInfo", "src": src}))
        answers, _ = await call_all(ws, {1})
        info = check_response(answers[1], device, src)
        check(info["mac"].lower() == device["mac"].lower(), "MacAddressMismatchError")

        for frame in ({"id": 2, "method": "Shelly.GetConfig", "src": src, "dst": device["id"]},
                      {"id": 3, "method": "Shelly.GetStatus", "src": src, "dst": device["id"]},
                      {"id": 4, "method": "Shelly.GetComponents", "src": src,
                       "dst": device["id"], "params": {"dynamic_only": True}},
                      {"id": 5, "method": "Script.GetCode", "src": src, "params": {"id": 1}}):
            await ws.send(json.dumps(frame))  # pipelined, as aioshelly does
        answers, notifications = await call_all(ws, {2, 3, 4, 5})
        config = check_response(answers[2], device, src)
        status = check_response(answers[3], device, src)
        components = check_response(answers[4], device, src)
        check(answers[5].get("error") == {"code": 404, "message": "No handler for Script.GetCode"},
              f"Script.GetCode must have no handler: {answers[5]}")
        check("sys" in status and "device" in config["sys"], "sys status and sys.device config")
        check(config["ws"]["enable"] is False and config["wifi"]["ap"]["enable"] is False,
              "repairs read ws.enable and wifi.ap.enable")
        check(status["cloud"]["connected"] is False, "cloud must be disconnected")
        check(len(components["components"]) == components["total"], "aioshelly pages otherwise")
        check(components["cfg_rev"] == status["sys"]["cfg_rev"] == config["sys"]["cfg_rev"],
              "one cfg_rev")

        deadline = time.time() + LISTEN_SECONDS
        while time.time() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=deadline - time.time())
            except asyncio.TimeoutError:
                break
            notifications.append((time.time(), raw, json.loads(raw)))
        latencies = [check_notification(t, raw, frame, device, src)
                     for t, raw, frame in notifications]
        arrivals = [t for t, _, _ in notifications]
        # One push per reading; a busy test machine may delay the poller a little.
        check(len(notifications) >= 0.6 * LISTEN_SECONDS / poll_interval,
              f"only {len(notifications)} NotifyStatus in {LISTEN_SECONDS} s")
        powers = [frame["params"]["em:0"]["total_act_power"] for _, _, frame in notifications]
        check(len(set(powers)) > len(powers) // 2, "NotifyStatus values do not change")
        check(max(latencies) < 0.1, f"a push arrived {max(latencies) * 1000:.0f} ms after its ts")
        intervals = [b - a for a, b in zip(arrivals, arrivals[1:])]
        await ws.close(code=1000)
        check(ws.close_code == 1000, f"close handshake ended with {ws.close_code}")
        return {"notifications": len(notifications),
                "max_latency_ms": round(max(latencies) * 1000, 1),
                "median_interval_s": round(statistics.median(intervals), 3),
                "status_bytes": len(json.dumps(status)),
                "config_bytes": len(json.dumps(config))}


def main():
    port, poll_interval = int(sys.argv[1]), float(sys.argv[2])
    try:
        device = get_shelly(port)
        result = asyncio.run(asyncio.wait_for(session(port, poll_interval, device), timeout=60))
    except (Failure, OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
        print(f"FAIL: {type(error).__name__}: {error}", flush=True)
        sys.exit(1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
