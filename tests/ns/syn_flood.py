#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Spoofed IPv4 SYN generator for tests/ns/62_syncookie.sh.

Sends SYNs (MSS option, random ports and ISNs) from forged sources to
DST:DPORT through a raw socket (the kernel fills the IP checksum and
ID), bounded in count and in time, and prints one JSON line:
{"sent": N, "seconds": S}. Sources: random addresses of the given
prefixes (documentation ranges only), and a share of SYNs forged with
the --victim address. Runs inside the test's client namespace only.
"""
import argparse
import ipaddress
import json
import random
import socket
import struct
import time

DOC_NETS = [ipaddress.ip_network(n) for n in
            ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


def doc_only(addr):
    a = ipaddress.ip_address(addr)
    if not any(a in n for n in DOC_NETS):
        raise SystemExit("refusing %s: not a documentation address" % addr)
    return a


def csum_words(b):
    if len(b) % 2:
        b += b"\0"
    return sum(struct.unpack("!%dH" % (len(b) // 2), b))


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst")
    ap.add_argument("dport", type=int)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--prefix", action="append", default=[])
    ap.add_argument("--victim")
    ap.add_argument("--victim-share", type=float, default=0.0)
    a = ap.parse_args()
    if a.count > 1000000 or a.seconds > 60:
        raise SystemExit("bounds: at most 1000000 SYNs and 60 s")
    dst = doc_only(a.dst)
    nets = [ipaddress.ip_network(p) for p in a.prefix]
    for n in nets:
        if not any(n.subnet_of(d) for d in DOC_NETS):
            raise SystemExit("refusing %s: not a documentation range" % n)
    victim = doc_only(a.victim).packed if a.victim else None
    pools = [(int(n.network_address), n.num_addresses) for n in nets]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dpk = dst.packed
    # pseudo-header sum without the source: dst, protocol, TCP length 24
    base = csum_words(dpk) + socket.IPPROTO_TCP + 24
    sent, start = 0, time.monotonic()
    deadline = start + a.seconds
    rnd = random.Random(4242)
    while sent < a.count:
        if sent % 256 == 0 and time.monotonic() >= deadline:
            break
        if victim and rnd.random() < a.victim_share:
            src = victim
        else:
            net, size = pools[rnd.randrange(len(pools))]
            src = struct.pack("!I", net + rnd.randrange(1, size - 1))
        sport, seq = rnd.randrange(1024, 65535), rnd.getrandbits(32)
        tcp = struct.pack("!HHIIBBHHHBBH", sport, a.dport, seq, 0, 6 << 4,
                          0x02, 64240, 0, 0, 2, 4, 1460)
        c = fold(base + csum_words(src) + csum_words(tcp))
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 44, 0, 0, 64,
                         socket.IPPROTO_TCP, 0, src, dpk)
        s.sendto(ip + tcp, (a.dst, 0))
        sent += 1
    print(json.dumps({"sent": sent,
                      "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
