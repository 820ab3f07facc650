#!/usr/bin/python3
"""Raw TCP client for tests/ns/74_parse.sh (redparse): one real
connection whose first request goes in a frame form of the scenario's,
to show what Linux delivers to the server of frames the shield's parser
reads differently. Built on hred_raw.py's Link and Conn (AF_PACKET on
the client's veth); run as root inside the client namespace only, with
hred_raw.py's iptables rule for the client kernel's RSTs (source ports
61000-61999).

  parse_raw.py --iface IF --gw-mac MAC --src ADDR --dst ADDR
               --host HOST --tag TAG FORM

The request is "GET /?form=TAG HTTP/1.1" with Host HOST. Forms:
  plain        one ordinary segment (the control)
  prio1        behind one 802.1Q priority tag (VID 0)
  prio2        behind 802.1ad and 802.1Q priority tags (VID 0)
  prio3        behind three 802.1Q priority tags (VID 0): Linux strips
               any number of them (__netif_receive_skb_core)
  frag-tiny    IPv4 only: two fragments, the first with 8 bytes of TCP
               (ports and sequence number: RFC 1858's tiny fragment)
  frag-doff    two fragments (IPv4, or IPv6 with a fragment header), the
               first with 24 bytes of a 32-byte TCP header (data offset 8:
               a timestamps option spills into the second)
  frag-chain   IPv6 only: two fragments, the first ending inside a
               destination-options header (Linux's check of the first
               fragment, ipv6frag_thdr_truncated(), lets a chain it
               cannot walk through); the second holds its rest, a second
               destination-options header, TCP and the request
  atomic       IPv6 only: behind a fragment header with offset 0 and M=0
               (an atomic fragment: Linux takes it as a whole packet)
  trailer      IPv4 total length short of the frame by 64 bytes of junk
               (a served request's bytes), which Linux trims

Prints one JSON object: what came back from the server.
"""
import argparse
import json
import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hred_raw import ACK, ETH_P_IP, ETH_P_IPV6, PSH, Conn, Link  # noqa: E402

TPID_Q, TPID_AD = 0x8100, 0x88A8
IPPROTO_TCP, IPPROTO_FRAG, IPPROTO_DSTOPTS = 6, 44, 60
# timestamps option (kind 8, 10 bytes) after two NOPs: 12 bytes
TS_OPT = b"\x01\x01" + struct.pack("!BBII", 8, 10, 1, 0)


def send_tagged(c, tpids, l3):
    eth = c.link.gw + c.link.mac
    for t in tpids:
        eth += struct.pack("!HH", t, 0)  # PCP 0, DEI 0, VID 0
    et = ETH_P_IPV6 if c.v6 else ETH_P_IP
    c.link.s.send(eth + struct.pack("!H", et) + l3)


def frag6(nh, off, mf, ident):
    return struct.pack("!BBHI", nh, 0, (off << 3) | (1 if mf else 0), ident)


def send_frags(c, seg, first):
    """@seg (TCP header and data) in two fragments, the first holding
    @first bytes of it (a multiple of 8)."""
    ident = random.getrandbits(16)
    if c.v6:
        c.link.send(ETH_P_IPV6, c.ip6(IPPROTO_FRAG,
                                      frag6(IPPROTO_TCP, 0, True, ident) +
                                      seg[:first]))
        time.sleep(0.05)
        c.link.send(ETH_P_IPV6, c.ip6(IPPROTO_FRAG,
                                      frag6(IPPROTO_TCP, first // 8, False,
                                            ident) + seg[first:]))
        return
    c.link.send(ETH_P_IP, c.ip4(IPPROTO_TCP, seg[:first], mf=True, ident=ident))
    time.sleep(0.05)
    c.link.send(ETH_P_IP, c.ip4(IPPROTO_TCP, seg[first:], frag=first // 8,
                                ident=ident))


def frag_chain(c, seg):
    """[frag][dstopts 16 bytes: an unknown skippable option][dstopts 8
    bytes: PadN][TCP...]; the first fragment ends after 8 bytes of the
    first destination-options header."""
    ident = random.getrandbits(16)
    d1 = struct.pack("!BBBB", IPPROTO_DSTOPTS, 1, 0x1E, 12) + bytes(12)
    d2 = struct.pack("!BBBB4x", IPPROTO_TCP, 0, 1, 4)
    body = d1 + d2 + seg
    c.link.send(ETH_P_IPV6, c.ip6(IPPROTO_FRAG,
                                  frag6(IPPROTO_DSTOPTS, 0, True, ident) +
                                  body[:8]))
    time.sleep(0.05)
    c.link.send(ETH_P_IPV6, c.ip6(IPPROTO_FRAG,
                                  frag6(IPPROTO_DSTOPTS, 1, False, ident) +
                                  body[8:]))


def send_form(c, form, req, junk):
    opts = TS_OPT if form == "frag-doff" else b""
    seg = c.tcp(c.snd, c.rcv, PSH | ACK, req, opts)
    if form == "plain":
        c.send_tcp(c.snd, PSH | ACK, req)
    elif form.startswith("prio"):
        tpids = {"prio1": [TPID_Q], "prio2": [TPID_AD, TPID_Q],
                 "prio3": [TPID_Q] * 3}[form]
        l3 = c.ip6(IPPROTO_TCP, seg) if c.v6 else c.ip4(IPPROTO_TCP, seg)
        send_tagged(c, tpids, l3)
    elif form == "frag-tiny":
        send_frags(c, seg, 8)
    elif form == "frag-doff":
        send_frags(c, seg, 24)
    elif form == "frag-chain":
        frag_chain(c, seg)
    elif form == "atomic":
        c.link.send(ETH_P_IPV6, c.ip6(IPPROTO_FRAG,
                                      frag6(IPPROTO_TCP, 0, False, 0) + seg))
    elif form == "trailer":
        c.link.send(ETH_P_IP, c.ip4(IPPROTO_TCP, seg) + junk)
    c.snd = (c.snd + len(req)) & 0xFFFFFFFF
    time.sleep(0.05)


FORMS = ("plain", "prio1", "prio2", "prio3", "frag-tiny", "frag-doff",
         "frag-chain", "atomic", "trailer")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iface", required=True)
    p.add_argument("--gw-mac", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--sport", type=int, default=61000)
    p.add_argument("--host", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("form", choices=FORMS)
    a = p.parse_args()
    if not 61000 <= a.sport <= 61999:
        sys.exit("--sport must be in 61000-61999 (the RST rule)")
    c = Conn(Link(a.iface, a.gw_mac), a.src, a.dst, a.sport)
    if c.v6 and a.form in ("frag-tiny", "trailer"):
        sys.exit("form %s is IPv4 only" % a.form)
    if not c.v6 and a.form in ("frag-chain", "atomic"):
        sys.exit("form %s is IPv6 only" % a.form)
    req = b"GET /?form=%s HTTP/1.1\r\nHost: %s\r\n\r\n" % (
        a.tag.encode(), a.host.encode())
    junk = b"GET /?junk HTTP/1.1\r\nHost: www.example.org\r\n\r\n".ljust(64)
    c.handshake()
    send_form(c, a.form, req, junk)
    c.pump(0.8)
    c.close()
    out = {"form": a.form}
    out.update(c.report())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
