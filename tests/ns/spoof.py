#!/usr/bin/python3
"""Forged-source TCP generator for tests/ns/60_spoof.sh (run with
/usr/bin/python3, as root, inside the client namespace only).

Sends IPv4 TCP segments through a raw socket with IP_HDRINCL, so the
source address is whatever we write: an off-path spoofer. Nothing here
completes a handshake or reads an answer.

  spoof.py --dst 192.0.2.1 --kinds syn,ack,good,bad \\
           --own 192.0.2.2 --net 192.0.2.0/24 \\
           --random 198.51.100.0/24,203.0.113.0/24 --exclude 192.0.2.1 \\
           --rate 12000 --duration 8 --count 100000

Kinds (one chosen per packet, evenly):
  syn   a SYN (MSS, SACK-permitted, window scale options), random ISN
  ack   a bare ACK, random seq and ack
  good  ACK|PSH carrying "GET / HTTP/1.1" with Host: --host (a served name)
  bad   ACK|PSH carrying the seed request: "GET /#101 HTTP/1.1",
        Host: 0jejhcec65c24dslii.com (as tests/ns/http_flood.py sends it)
  sweep the seed request from --own, source ports one after the other over
        --sweep-ports LO-HI (the client's ephemeral range), random
        sequence numbers: an off-path sweep for the client's live and
        TIME_WAIT connections (the source classes do not apply)
Sources (one chosen per packet, evenly among the classes given):
  own     --own (and --own6): the legitimate clients' own addresses
          (each a comma-separated list)
  net     an address of --net (and --net6) other than those and --exclude
  random  an address of the --random (and --random6) prefixes (minus
          --exclude)
IPv6 sources (their segments go to --dst6) are drawn with the IPv4 ones
from the same class; keep the IPv6 prefixes small (a /120): the server
side needs a permanent neighbour entry for each address it answers.
Ports and sequence numbers are random. The packets are built before the
clock starts (a pool of --pool distinct packets, sent round-robin), so
the send loop only paces and calls sendto.

Bounded in count (--count, at most MAX_COUNT) and in time (--duration,
at most MAX_DURATION s): it stops at whichever comes first. Prints one
JSON object: {"sent": N, "errors": N, "duration_s": x, "rate_pps": x,
"target_pps": x, "by_kind": {...}, "by_source": {...}}; by_kind and
by_source count the packets sent.
"""
import argparse
import ipaddress
import json
import random
import socket
import struct
import sys
import time

MAX_COUNT = 2000000
MAX_DURATION = 60.0
ATTACK_HOST = "0jejhcec65c24dslii.com"
ATTACK_UA = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"

TH_FIN, TH_SYN, TH_RST, TH_PSH, TH_ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def payload(kind, host):
    if kind == "good":
        return ("GET / HTTP/1.1\r\n"
                "Host: %s\r\n"
                "User-Agent: Mozilla/5.0 (X11; Linux x86_64) fs-spoof\r\n"
                "Accept: */*\r\n"
                "\r\n" % host).encode()
    if kind == "bad":
        return ("GET /#101 HTTP/1.1\r\n"
                "Host: %s\r\n"
                "Referer: http://%s\r\n"
                "User-Agent: %s\r\n"
                "Accept: */*\r\n"
                "Connection: Keep-Alive\r\n"
                "\r\n" % (ATTACK_HOST, ATTACK_HOST, ATTACK_UA)).encode()
    return b""


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def packet(src, dst, sport, dport, seq, ack, flags, opts, data, ident):
    """An IPv4 or IPv6 (by the length of src) + TCP packet, checksums
    right."""
    doff = (20 + len(opts)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags,
                      64240, 0, 0) + opts
    if len(src) == 16:
        pseudo = struct.pack("!16s16sI3xB", src, dst, len(tcp) + len(data),
                             socket.IPPROTO_TCP)
    else:
        pseudo = struct.pack("!4s4sBBH", src, dst, 0, socket.IPPROTO_TCP,
                             len(tcp) + len(data))
    c = csum(pseudo + tcp + data)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    if len(src) == 16:
        ip = struct.pack("!IHBB16s16s", 6 << 28, len(tcp) + len(data),
                         socket.IPPROTO_TCP, 64, src, dst)
        return ip + tcp + data
    total = 20 + len(tcp) + len(data)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64,
                     socket.IPPROTO_TCP, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp + data


# MSS 1460, SACK permitted, timestamps left out, NOP, window scale 7
SYN_OPTS = bytes([2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7])
SYN_OPTS += b"\x01" * ((4 - len(SYN_OPTS) % 4) % 4)


def build(kind, src, dst, dport, rnd, host, ident, sport=None):
    if sport is None:
        sport = rnd.randint(1024, 65535)
    seq = rnd.getrandbits(32)
    if kind == "syn":
        return packet(src, dst, sport, dport, seq, 0, TH_SYN, SYN_OPTS, b"",
                      ident)
    ack = rnd.getrandbits(32)
    if kind == "ack":
        return packet(src, dst, sport, dport, seq, ack, TH_ACK, b"", b"",
                      ident)
    return packet(src, dst, sport, dport, seq, ack, TH_ACK | TH_PSH, b"",
                  payload("bad" if kind == "sweep" else kind, host), ident)


def hosts(prefixes, skip):
    return [h for p in prefixes.split(",") if p
            for h in ipaddress.ip_network(p).hosts() if h not in skip]


def address_pools(a):
    """Source classes -> packed addresses, IPv4 and IPv6 together."""
    skip = {ipaddress.ip_address(x) for x in a.exclude.split(",") if x}
    own = [ipaddress.ip_address(x) for x in ",".join((a.own, a.own6)).split(",")
           if x]
    skip |= set(own)
    pools = {"own": own,
             "net": hosts(",".join(x for x in (a.net, a.net6) if x), skip),
             "random": hosts(",".join(x for x in (a.random, a.random6) if x), skip)}
    classes = [c for c in a.sources.split(",") if c]
    for c in classes:
        if not pools.get(c):
            sys.exit("spoof: source class %s has no address" % c)
    return {c: [h.packed for h in pools[c]] for c in classes}, \
        [h.packed for h in own]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--dst6", default="")
    ap.add_argument("--own6", default="")
    ap.add_argument("--net6", default="")
    ap.add_argument("--random6", default="")
    ap.add_argument("--dport", type=int, default=80)
    ap.add_argument("--kinds", default="syn,ack,good,bad")
    ap.add_argument("--sources", default="own,net,random")
    ap.add_argument("--own", default="")
    ap.add_argument("--net", default="")
    ap.add_argument("--random", default="")
    ap.add_argument("--exclude", default="")
    ap.add_argument("--host", default="www.example.org")
    ap.add_argument("--sweep-ports", default="")
    ap.add_argument("--rate", type=float, default=12000.0)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--pool", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    count = min(a.count, MAX_COUNT)
    duration = min(a.duration, MAX_DURATION)
    kinds = [k for k in a.kinds.split(",") if k]
    for k in kinds:
        if k not in ("syn", "ack", "good", "bad", "sweep"):
            sys.exit("spoof: unknown kind %s" % k)
    pools, owns = address_pools(a)
    sweep = None
    if "sweep" in kinds:
        try:
            lo, hi = (int(x) for x in a.sweep_ports.split("-"))
            assert 0 < lo <= hi < 65536 and owns
        except (ValueError, AssertionError):
            sys.exit("spoof: kind sweep needs --own and --sweep-ports LO-HI")
        sweep = (lo, hi - lo + 1)
    classes = list(pools)
    rnd = random.Random(a.seed)
    dsts = {4: ipaddress.ip_address(a.dst).packed}
    if a.dst6:
        dsts[16] = ipaddress.ip_address(a.dst6).packed
    for c in classes:
        for h in pools[c]:
            if len(h) not in dsts:
                sys.exit("spoof: an IPv6 source needs --dst6")

    pool = []
    swept = 0
    for i in range(min(a.pool, count)):
        kind = kinds[i % len(kinds)]
        if kind == "sweep":
            # each own address sweeps the range in turn
            src = owns[(swept // sweep[1]) % len(owns)]
            port = sweep[0] + swept % sweep[1]
            swept += 1
            pool.append((build(kind, src, dsts[len(src)], a.dport, rnd,
                               a.host, i & 0xffff, port), kind, "own"))
            continue
        cls = classes[(i // len(kinds)) % len(classes)]
        src = rnd.choice(pools[cls])
        pool.append((build(kind, src, dsts[len(src)], a.dport, rnd, a.host,
                           i & 0xffff), kind, cls))

    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s4.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
    s4.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    out = {4: (s4, (a.dst, 0))}
    if a.dst6:
        # IPPROTO_RAW on AF_INET6: the header is ours (IPV6_HDRINCL)
        s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
        s6.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        out[6] = (s6, (a.dst6, 0))
    pool = [(p, k, c, out[p[0] >> 4]) for p, k, c in pool]
    by_kind, by_source, by_family = {}, {}, {}
    sent = errors = 0
    n = len(pool)
    start = time.monotonic()
    end = start + duration
    batch = 64
    i = 0
    while i < count:
        now = time.monotonic()
        if now >= end:
            break
        due = int((now - start) * a.rate) + batch  # packets allowed by now
        if i >= due:
            time.sleep(min(0.0005, end - now))
            continue
        for _ in range(min(batch, count - i)):
            pkt, kind, cls, (sock, to) = pool[i % n]
            try:
                sock.sendto(pkt, to)
                sent += 1
                by_kind[kind] = by_kind.get(kind, 0) + 1
                by_source[cls] = by_source.get(cls, 0) + 1
                fam = "ipv%d" % (pkt[0] >> 4)
                by_family[fam] = by_family.get(fam, 0) + 1
            except (BlockingIOError, OSError):
                errors += 1
            i += 1
    took = time.monotonic() - start
    print(json.dumps({"sent": sent, "errors": errors,
                      "duration_s": round(took, 3),
                      "rate_pps": round(sent / took) if took > 0 else 0,
                      "target_pps": a.rate, "count": count,
                      "by_kind": by_kind, "by_source": by_source,
                      "by_family": by_family},
                     sort_keys=True))


if __name__ == "__main__":
    main()
