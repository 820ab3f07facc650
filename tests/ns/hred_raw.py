#!/usr/bin/python3
"""Raw TCP client for tests/ns/85_hred.sh (h13-red): real connections to
a real server whose segments are written by hand, to show over real TCP
what the BPF_PROG_TEST_RUN fixtures of tests/test_hred.c cannot: what
Linux keeps of segments the shield judged. Run as root inside the client
namespace only.

It sends and reads Ethernet frames on one interface (AF_PACKET). The
client kernel's own RSTs for these connections (it holds no socket for
them) must be dropped by the caller: an iptables OUTPUT rule for the
source ports 61000-61999.

  hred_raw.py --iface IF --gw-mac MAC --src ADDR --dst ADDR [--apache] SCENARIO

The attacks are nginx's ('#' in the target, the seed request); with
--apache an unserved Host instead (Apache refuses '#' before routing).

Scenarios (each one connection from --src, source port --sport):
  twin-noack   a good request in a segment without ACK (Linux discards
               it), then the same bytes with '#' in the target, with ACK
  twin-md5     the same, the first segment carrying a TCP MD5 option
               (Linux drops it: the socket has no MD5 key)
  noconn-ack   a good request, then the '#' request with an ACK of data
               never sent (the
               shield judges it bad, finds it unproven and drops it, its
               next byte moved all the same), then the same bytes with a
               right ACK
  reset-ignored  "GET / HTTP/1.1" CRLF in order, then a segment that
               repeats its last 5 bytes and adds an unserved Host (judged
               bad, then dropped unproven: its first byte is before
               rcv_nxt; the shield's next byte moved past it all the
               same), then the Host again, in order
  reset-ooo    POST with Content-Length 100; out of order, the body's
               last 10 bytes and the seed (judged bad: turned into a RST
               whose sequence number Linux refuses, the state forgotten);
               then the body and the seed in order
  ooo-body     POST with Content-Length 100; out of order, the body's
               last 10 bytes and "GET /x ..."; then the body and
               "GET /#" in order, overlapping it
  frag-old     a good request, then one datagram in two IPv4 fragments:
               its last 12 bytes again (first fragment) and the seed
               (second)
  ext-chain    the seed as first data behind 7 IPv6 destination-options
               headers (--src and --dst IPv6)
  reordered    the seed's successor (a good request) first, then the seed
  legit-reordered  a legitimate request whose two segments arrive in
               the wrong order (the first lost, or late)
  rewind-body  (h13-red2) a good request; then a POST head with
               Content-Length 100 without ACK (Linux discards it; the
               shield parses it), the seed right after it (body bytes to
               the shield; Linux queues it out of order), then a good
               request of the POST head's length with ACK (the shield
               rewinds to before the POST and parses it; Linux fills the
               gap and hands the seed to the server)
  rewind-ooo   (h13-red2) the same, the seed 5 bytes past the POST head
               (out of order, inside the body: passes)
  rewind-hhost (h13-red2) a good request; "GET /h HTTP/1.1" CRLF
               "Host: w" (a cut Host, kept in fs_hhost); "ww.example.org"
               without ACK (Linux discards it; the shield appends it to
               fs_hhost); then "0jejhcec65c24d" CRLF CRLF with ACK at the
               same place: the shield rewinds its state but not fs_hhost,
               and judges "www.example.org"; nginx routes
               "w0jejhcec65c24d" (unserved)
  chunk-htab   (h13-red2) a chunked POST whose chunk size line is "0"
               HTAB hex CRLF: nginx reads the last chunk (HTAB starts an
               extension) and then the seed; the parser a chunk of that
               many hex bytes, over the seed
  retrans-over (h13-red2) a good request; the attack's length of a
               good request without ACK (Linux discards it; the shield
               parses it); then one old byte and the attack, with ACK:
               its first byte is before rcv_nxt, so the shield takes the
               whole segment for bytes the kernel has (old bytes: passes),
               but Linux lacks all but that byte and reads the attack
  desync-split (h13-red2) a good request; a good request without ACK
               (Linux discards it; the shield parses it); its last 5
               bytes and more (http_desync: a RST at this segment's
               sequence number, which is not rcv_nxt: Linux ignores it;
               the state is forgotten); then the attack from rcv_nxt,
               split after its method ("GET" | " /# ..."): the flow is
               untracked, and neither part starts like a request
  first-body   (h13-red2) rewind-body without the first request (the
               connection's first data: a fresh state, not a rewind)
  hhost-flood  "GET / HTTP/1.1" CRLF "Host: 0jejhcec65c", then --flood
               forged segments from --flood-src (random ports, random
               sequence numbers, no connection) each ending in a cut
               Host, then "24dslii.com" CRLF CRLF, then the seed

Prints one JSON object: what came back (flags of the server's segments,
RSTs, bytes of data) and the scenario's name. Bounded: every wait has a
timeout, the flood at most 100,000 frames.
"""
import argparse
import json
import random
import socket
import struct
import sys
import time

ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 = 0x0003, 0x0800, 0x86DD
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
PACKET_OUTGOING = 4
GOOD = b"GET / HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
GOOD_A = b"GET /a HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
HASH_A = b"GET /# HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
SEED = b"GET /#101 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"
# --apache: Apache refuses '#' (HttpProtocolOptions Strict) before it
# routes, so the attacks there are an unserved Host (same lengths)
APACHE_HASH_A = b"GET /a HTTP/1.1\r\nHost: 0jejhcec65c.com\r\n\r\n"
APACHE = False
APACHE_SEED = b"GET /101 HTTP/1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"
FLOOD_MAX = 100000
# TCP MD5 signature option (RFC 2385), 18 bytes, and 2 NOPs: a socket
# without an MD5 key drops the segment (tcp_inbound_hash())
MD5_OPT = bytes([19, 18]) + bytes(16) + b"\x01\x01"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Link:
    """Frames out of and into one interface."""

    def __init__(self, iface, gw_mac):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                               socket.htons(ETH_P_ALL))
        self.s.bind((iface, 0))
        self.mac = self.s.getsockname()[4]
        self.gw = bytes.fromhex(gw_mac.replace(":", ""))

    def send(self, ethertype, l3):
        self.s.send(self.gw + self.mac + struct.pack("!H", ethertype) + l3)

    def recv(self, timeout):
        """One incoming frame (ethertype, l3 bytes), or None."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                frame, addr = self.s.recvfrom(65535)
            except socket.timeout:
                return None
            if addr[2] == PACKET_OUTGOING or len(frame) < 14:
                continue
            return struct.unpack("!H", frame[12:14])[0], frame[14:]


class Conn:
    """One TCP connection, every segment written here."""

    def __init__(self, link, src, dst, sport, dport=80):
        self.link = link
        self.v6 = ":" in src
        fam = socket.AF_INET6 if self.v6 else socket.AF_INET
        self.src, self.dst = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
        self.sport, self.dport = sport, dport
        self.iss = random.getrandbits(32)
        self.snd = (self.iss + 1) & 0xFFFFFFFF
        self.rcv = 0
        self.seen = []  # (flags, data length) of the server's segments
        self.ident = random.getrandbits(16)

    # -- building
    def tcp(self, seq, ack, flags, payload, opts=b""):
        doff = (20 + len(opts)) // 4
        hdr = struct.pack("!HHIIBBHHH", self.sport, self.dport, seq, ack,
                          doff << 4, flags, 65535, 0, 0) + opts
        seg = hdr + payload
        if self.v6:
            pseudo = self.src + self.dst + struct.pack("!IxxxB", len(seg), 6)
        else:
            pseudo = self.src + self.dst + struct.pack("!xBH", 6, len(seg))
        c = csum(pseudo + seg)
        return seg[:16] + struct.pack("!H", c) + seg[18:]

    def ip4(self, proto, payload, frag=0, mf=False, total=None, ident=None):
        tot = 20 + len(payload) if total is None else total
        off = (0x2000 if mf else 0) | frag
        ident = self.ident if ident is None else ident
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, ident, off, 64, proto,
                          0, self.src, self.dst)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return hdr + payload

    def ip6(self, nexthdr, payload):
        return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nexthdr,
                           64, self.src, self.dst) + payload

    def send_tcp(self, seq, flags, payload=b"", ack=None, ext=0, opts=b""):
        ack = self.rcv if ack is None else ack
        seg = self.tcp(seq, ack, flags, payload, opts)
        if not self.v6:
            self.link.send(ETH_P_IP, self.ip4(6, seg))
            return
        nh, chain = 6, b""
        for _ in range(ext):  # destination options, PadN over 6 bytes
            chain = struct.pack("!BBBB4x", nh, 0, 1, 4) + chain
            nh = 60
        self.link.send(ETH_P_IPV6, self.ip6(nh, chain + seg))

    def send_data(self, payload, seq=None, flags=PSH | ACK, **kw):
        seq = self.snd if seq is None else seq
        self.send_tcp(seq & 0xFFFFFFFF, flags, payload, **kw)
        end = (seq + len(payload)) & 0xFFFFFFFF
        if (end - self.snd) & 0x80000000 == 0:
            self.snd = end
        time.sleep(0.05)

    # -- reading
    def ours(self, ethertype, l3):
        """The TCP header and data of a frame of this connection's
        server side, or None."""
        if ethertype == ETH_P_IP and not self.v6 and len(l3) >= 40:
            ihl = (l3[0] & 15) * 4
            if l3[9] != 6 or l3[12:16] != self.dst or l3[16:20] != self.src:
                return None
            t = l3[ihl:struct.unpack("!H", l3[2:4])[0]]
        elif ethertype == ETH_P_IPV6 and self.v6 and len(l3) >= 60:
            if l3[6] != 6 or l3[8:24] != self.dst or l3[24:40] != self.src:
                return None
            t = l3[40:40 + struct.unpack("!H", l3[4:6])[0]]
        else:
            return None
        sp, dp = struct.unpack("!HH", t[:4])
        if sp != self.dport or dp != self.sport:
            return None
        return t

    def pump(self, timeout=0.3, want=None):
        """Read the server's segments for @timeout s (or until one has
        the flags @want); acknowledge its data."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            f = self.link.recv(end - time.monotonic())
            if not f:
                break
            t = self.ours(*f)
            if t is None:
                continue
            seq, ack = struct.unpack("!II", t[4:12])
            flags, doff = t[13], (t[12] >> 4) * 4
            data = t[doff:]
            self.seen.append((flags, len(data)))
            if flags & SYN:
                self.rcv = (seq + 1) & 0xFFFFFFFF
            elif data or flags & FIN:
                nxt = (seq + len(data) + (1 if flags & FIN else 0)) & 0xFFFFFFFF
                if (nxt - self.rcv) & 0x80000000 == 0:
                    self.rcv = nxt
                self.send_tcp(self.snd, ACK)
            if want is not None and flags & want == want:
                return t
        return None

    def handshake(self):
        mss = struct.pack("!BBH", 2, 4, 1400)
        seg = self.tcp(self.iss, 0, SYN, b"", mss)
        if self.v6:
            self.link.send(ETH_P_IPV6, self.ip6(6, seg))
        else:
            self.link.send(ETH_P_IP, self.ip4(6, seg))
        if self.pump(2.0, SYN | ACK) is None:
            raise SystemExit("no SYN-ACK")
        self.send_tcp(self.snd, ACK)
        time.sleep(0.05)

    def close(self):
        self.pump(0.5)
        self.send_tcp(self.snd, RST | ACK)

    def report(self):
        return {
            "server_segments": len(self.seen),
            "server_rst": sum(1 for f, _ in self.seen if f & RST),
            "server_data_bytes": sum(n for _, n in self.seen),
        }


# ---- scenarios --------------------------------------------------------


def twin_noack(c, a):
    base = c.snd
    c.send_data(GOOD_A, seq=base, flags=PSH)  # no ACK: discarded
    c.snd = base
    c.send_data(HASH_A, seq=base)
    c.pump(0.5)


def reset_ignored(c, a):
    c.send_data(b"GET / HTTP/1.1\r\n")
    c.pump(0.2)
    base = c.snd
    bad = b"1.1\r\nHost: 0jejhcec65c24dslii.com\r\n\r\n"
    c.send_data(bad, seq=base - 5)  # 5 old bytes: parsed from the 6th
    c.pump(0.3)
    c.snd = base  # Linux took none of it: the same Host again, in order
    c.send_data(b"Host: 0jejhcec65c24dslii.com\r\n\r\n")
    c.pump(0.5)


def noconn_ack(c, a):
    c.send_data(GOOD)  # the flow's state starts here
    c.pump(0.3)
    base = c.snd
    bogus = (c.rcv + (1 << 24)) & 0xFFFFFFFF  # acknowledges unsent data
    c.send_data(HASH_A, seq=base, ack=bogus)  # judged bad, dropped: no_conn
    c.snd = base
    c.send_data(HASH_A, seq=base)  # the same bytes, a right ACK
    c.pump(0.5)


def twin_md5(c, a):
    base = c.snd
    c.send_data(GOOD_A, seq=base, opts=MD5_OPT)  # Linux: TCPMD5Unexpected
    c.snd = base
    c.send_data(HASH_A, seq=base)
    c.pump(0.5)


def reset_ooo(c, a):
    c.send_data(b"POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
                b"Content-Length: 100\r\n\r\n")
    c.pump(0.2)
    body = c.snd
    c.send_data(b"b" * 10 + SEED, seq=body + 90)  # judged: RST, ignored
    c.pump(0.3)
    c.snd = body  # the body and the seed again, in order
    c.send_data(b"b" * 100 + SEED)
    c.pump(0.5)


def ooo_body(c, a):
    c.send_data(b"POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
                b"Content-Length: 100\r\n\r\n")
    body = c.snd
    x = b"." * 10 + b"GET /x HTTP/1.1\r\nHost: www.example.org\r\n\r\n"
    c.send_data(x, seq=body + 90)  # out of order
    c.snd = body
    # the kernel reads Y's bytes over X's: "GET /#" (nginx), or with
    # --apache the whole request line and an unserved Host of the length
    # of www.example.org
    tail = b"GET /x HTTP/1.1\r\nHost: 0jejhcec65c.com" if APACHE else b"GET /#"
    c.send_data(b"b" * 100 + tail, seq=body)
    c.snd = body + 100 + len(x) - 10
    c.pump(0.5)


def frag_old(c, a):
    c.send_data(GOOD)
    c.pump(0.3)
    data = GOOD[-12:] + SEED
    seg = c.tcp((c.snd - 12) & 0xFFFFFFFF, c.rcv, PSH | ACK, data)
    first = 32  # the TCP header and 12 bytes: a multiple of 8
    ident = random.getrandbits(16)
    c.link.send(ETH_P_IP, c.ip4(6, seg[:first], mf=True, ident=ident))
    time.sleep(0.05)
    c.link.send(ETH_P_IP, c.ip4(6, seg[first:], frag=first // 8, ident=ident))
    c.snd = (c.snd + len(SEED)) & 0xFFFFFFFF
    c.pump(0.5)


def ext_chain(c, a):
    c.send_data(SEED, ext=7)
    c.pump(0.5)


def reordered(c, a):
    base = c.snd
    c.send_data(GOOD, seq=base + len(SEED))
    c.send_data(SEED, seq=base)
    c.snd = base + len(SEED) + len(GOOD)
    c.pump(0.5)


def hhost_flood(c, a):
    c.send_data(b"GET / HTTP/1.1\r\nHost: 0jejhcec65c")
    c.pump(0.2)
    forged = Conn(c.link, a.flood_src, a.dst, 1024)
    n = min(a.flood, FLOOD_MAX)
    req = b"GET / HTTP/1.1\r\nHost: a"
    for i in range(n):
        forged.sport = 1024 + i % 59000
        forged.send_tcp(random.getrandbits(32), PSH | ACK, req,
                        ack=random.getrandbits(32))
        if i % 512 == 511:
            c.pump(0.001)
    c.pump(0.3)
    c.send_data(b"24dslii.com\r\n\r\n")
    c.pump(0.3)
    c.send_data(SEED)
    c.pump(0.5)


def legit_reordered(c, a):
    """A legitimate request in two segments, the first one lost or late:
    the second arrives first."""
    part1 = b"GET /?legit=reordered HTTP/1.1\r\nUser-Agent: curl/7.88.1\r\n"
    part2 = b"Host: www.example.org\r\nAccept: */*\r\n\r\n"
    base = c.snd
    c.send_data(part2, seq=base + len(part1))
    c.send_data(part1, seq=base)
    c.pump(0.3)
    # a TCP stack sends what was not acknowledged again (the shield
    # dropped the early second segment: it comes again in order)
    c.send_data(part2, seq=base + len(part1))
    c.snd = base + len(part1) + len(part2)
    c.pump(0.5)


def rewind_common(c, gap, first):
    """rewind-body, rewind-ooo, first-body (h13-red2)."""
    if not first:
        c.send_data(GOOD)  # the kernel has data: a rewind, not a restart
        c.pump(0.3)
    base = c.snd
    head = (b"POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
            b"Content-Length: 100\r\n\r\n")
    c.send_data(head, seq=base, flags=PSH)  # no ACK: Linux discards it
    c.send_data(SEED, seq=base + len(head) + gap)  # "body" to the shield
    pre = b"GET /a HTTP/1.1\r\nHost: www.example.org\r\nX: "
    pad = len(head) + gap - len(pre) - 4
    c.send_data(pre + b"p" * pad + b"\r\n\r\n", seq=base)  # fills the gap
    c.snd = (base + len(head) + gap + len(SEED)) & 0xFFFFFFFF
    c.pump(0.5)


def rewind_body(c, a):
    rewind_common(c, 0, False)


def rewind_ooo(c, a):
    rewind_common(c, 5, False)


def first_body(c, a):
    rewind_common(c, 0, True)


def rewind_hhost(c, a):
    """rewind-hhost (h13-red2): the rewind leaves fs_hhost as it was."""
    c.send_data(GOOD)
    c.pump(0.3)
    c.send_data(b"GET /h HTTP/1.1\r\nHost: w")
    c.pump(0.2)
    base = c.snd
    c.send_data(b"ww.example.org", seq=base, flags=PSH)  # no ACK: discarded
    c.snd = base
    c.send_data(b"0jejhcec65c24d\r\n\r\n", seq=base)  # same length, ACK
    c.pump(0.5)


def chunk_htab(c, a):
    """chunk-htab (h13-red2): HTAB inside a chunk-size line."""
    chunk = b"\r\n" + SEED
    c.send_data(b"POST /up HTTP/1.1\r\nHost: www.example.org\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
                + b"0\t%x\r\n" % len(chunk) + chunk + b"\r\n0\r\n\r\n")
    c.pump(0.5)


def retrans_over(c, a):
    """retrans-over (h13-red2): a segment from before rcv_nxt."""
    c.send_data(GOOD)
    c.pump(0.3)
    base = c.snd
    c.send_data(GOOD_A, seq=base, flags=PSH)  # no ACK: discarded
    c.snd = base
    c.send_data(GOOD[-1:] + HASH_A, seq=base - 1)  # one old byte first
    c.pump(0.5)


def desync_split(c, a):
    """desync-split (h13-red2): an ignored RST leaves the flow untracked."""
    c.send_data(GOOD)
    c.pump(0.3)
    base = c.snd
    c.send_data(GOOD_A, seq=base, flags=PSH)  # no ACK: discarded
    c.send_data(GOOD_A[-5:] + b"x", seq=c.snd - 5)  # http_desync
    c.pump(0.3)
    c.snd = base
    c.send_data(HASH_A[:3])
    c.send_data(HASH_A[3:])
    c.pump(0.5)


SCENARIOS = {
    "twin-noack": twin_noack,
    "reset-ignored": reset_ignored,
    "reset-ooo": reset_ooo,
    "noconn-ack": noconn_ack,
    "twin-md5": twin_md5,
    "ooo-body": ooo_body,
    "frag-old": frag_old,
    "ext-chain": ext_chain,
    "reordered": reordered,
    "hhost-flood": hhost_flood,
    "legit-reordered": legit_reordered,
    "rewind-body": rewind_body,
    "rewind-ooo": rewind_ooo,
    "first-body": first_body,
    "rewind-hhost": rewind_hhost,
    "chunk-htab": chunk_htab,
    "retrans-over": retrans_over,
    "desync-split": desync_split,
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iface", required=True)
    p.add_argument("--gw-mac", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--sport", type=int, default=61000)
    p.add_argument("--flood", type=int, default=16384)
    p.add_argument("--flood-src", default="198.51.100.20")
    p.add_argument("--apache", action="store_true",
                   help="attacks without '#' (an unserved Host)")
    p.add_argument("scenario", choices=sorted(SCENARIOS))
    a = p.parse_args()
    if a.apache:
        global HASH_A, SEED, APACHE
        HASH_A, SEED, APACHE = APACHE_HASH_A, APACHE_SEED, True
    if not 61000 <= a.sport <= 61999:
        sys.exit("--sport must be in 61000-61999 (the RST rule)")
    link = Link(a.iface, a.gw_mac)
    c = Conn(link, a.src, a.dst, a.sport)
    c.handshake()
    SCENARIOS[a.scenario](c, a)
    c.close()
    out = {"scenario": a.scenario}
    out.update(c.report())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
