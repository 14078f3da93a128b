#!/bin/sh
# SPDX-License-Identifier: MIT
# The avahi-daemon.conf of the mDNS system tests, on stdout: IPv4 on one interface of a
# network namespace the test made, no wide-area DNS-SD and no records of the test host's
# own (HINFO, workstation), so that what the browsers see is only what meteremu registered.
# Usage: avahi_test_conf.sh HOST_NAME INTERFACE
cat <<CONF
[server]
host-name=$1
use-ipv4=yes
use-ipv6=no
allow-interfaces=$2
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
CONF
