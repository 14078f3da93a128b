#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Browses one DNS-SD service type over the wire from another host on the link, with
# python-zeroconf (the library Home Assistant discovers Shelly devices with), and prints one
# line per instance it resolved:
#   name|server|port|addresses|TXT strings in wire order|ptr=TTL srv=TTL txt=TTL a=TTL
# Usage: mdns_browse_peer.py INTERFACE_ADDRESS SERVICE_TYPE TIMEOUT_SECONDS
import socket
import sys
import time

from zeroconf import (DNSIncoming, DNSOutgoing, DNSQuestion, IPVersion, ServiceBrowser,
                      ServiceInfo, ServiceListener, Zeroconf)

TYPE_A, TYPE_PTR, TYPE_TXT, TYPE_SRV = 1, 12, 16, 33
MDNS_GROUP, MDNS_PORT = "224.0.0.251", 5353


class Collector(ServiceListener):
    def __init__(self):
        self.names = set()

    def add_service(self, zc, type_, name):
        self.names.add(name)

    def update_service(self, zc, type_, name):
        self.names.add(name)

    def remove_service(self, zc, type_, name):
        self.names.discard(name)


def txt_strings(raw):
    strings, i = [], 0
    while i < len(raw):
        length = raw[i]
        strings.append(raw[i + 1:i + 1 + length].decode())
        i += 1 + length
    return strings


def sniff_ttls(address, type_, seconds):
    """Asks once a second from port 5353 (so answers carry their real TTLs, not the 10 s of
    legacy unicast) and returns the TTLs seen on the wire per (owner, type, target).
    python-zeroconf's cache cannot tell: it raises PTR TTLs below 1125 s to 1125 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("", MDNS_PORT))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                    socket.inet_aton(MDNS_GROUP) + socket.inet_aton(address))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
    query = DNSOutgoing(0, True)
    query.add_question(DNSQuestion(type_, TYPE_PTR, 1))
    seen, deadline, next_query = {}, time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        if time.monotonic() >= next_query:
            sock.sendto(query.packets()[0], (MDNS_GROUP, MDNS_PORT))
            next_query = time.monotonic() + 1
        sock.settimeout(0.1)
        try:
            data, _ = sock.recvfrom(9000)
        except socket.timeout:
            continue
        message = DNSIncoming(data)
        if not message.is_response():
            continue
        # A list in python3-zeroconf 0.47 (Debian 12), a method in later releases.
        answers = message.answers() if callable(message.answers) else message.answers
        for record in answers:
            if record.ttl:
                key = (record.name.lower(), record.type)
                seen.setdefault(key, set()).add(record.ttl)
    sock.close()
    return seen


def ttls(seen, owner, kind):
    return ",".join(str(t) for t in sorted(seen.get((owner.lower(), kind), ()))) or "none"


def describe(zc, seen, type_, name):
    info = ServiceInfo(type_, name)
    if not info.request(zc, 3000):
        return None
    addresses = ",".join(sorted(info.parsed_addresses()))
    times = "ptr=%s srv=%s txt=%s a=%s" % (
        ttls(seen, type_, TYPE_PTR), ttls(seen, name, TYPE_SRV), ttls(seen, name, TYPE_TXT),
        ttls(seen, info.server, TYPE_A))
    return "|".join([name, info.server, str(info.port), addresses,
                     " ".join(txt_strings(info.text)), times])


def main():
    address, type_, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    seen = sniff_ttls(address, type_, 2.5)
    zc = Zeroconf(interfaces=[address], ip_version=IPVersion.V4Only)
    collector = Collector()
    browser = ServiceBrowser(zc, type_, collector)
    deadline = time.monotonic() + timeout
    while not collector.names and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = [describe(zc, seen, type_, name) for name in sorted(collector.names)]
    browser.cancel()
    zc.close()
    for line in lines:
        if line:
            print(line)


if __name__ == "__main__":
    main()
