#!/usr/bin/python3
"""Writes tests/http_corpus/corpus.json: HTTP/1.x request forms for issue 13.

Run: python3 tests/http_corpus/gen_corpus.py > tests/http_corpus/corpus.json
(standard library only; the output is deterministic).

Each variant:
  id           unique, stable name
  description  what it is and why it matters
  family       4 or 6: the address family of the connection
  class        legit  a real client's form that must reach the server
               attack a form whose request the shield must stop
               either no real client sends it and the server acts on
                      nothing harmful, or a configured policy decides
  tags         the review's categories it belongs to
  legit_before (attack variants that start with good requests only; absent
               means 0) how many legitimate requests come before the
               first request the shield must stop: the server may log
               those (in the served vhost) and nothing else
  assumes      the served-name setup (the same for every variant here)
  segments     list of {"data": STR} in order; STR holds the exact bytes
               as Latin-1 code points (JSON escapes \\r, \\n, \\u00xx).
               Optional per segment:
                 "oob": true   send this segment with MSG_OOB: its LAST
                               byte is the urgent byte, which Linux
                               removes from the stream the server reads
                 "cork": true  send it under TCP_CORK together with the
                               next segment (one TCP segment on the wire)
                 "pause": S    seconds to wait after it (default: the
                               runner's --pause)
"""
import json
import sys

ATK = "0jejhcec65c24dslii.com"
WWW = "www.example.org"
APEX = "example.org"
IDN = "xn--mnchen-3ya.example.org"  # münchen.example.org, served
SRV4 = "192.0.2.1"
SRV6 = "2001:db8::1"
UA_BOT = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"
UA = "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"

ASSUMES = {
    "served": [WWW, APEX, IDN],
    "catch_all": "Debian's default vhost (Apache 000-default, nginx "
                 "default_server with server_name _) answers any other Host",
    "server_addrs": [SRV4, SRV6],
    "port": 80,
}

out = []
ids = set()


def seg(data, **kw):
    d = {"data": data}
    d.update(kw)
    return d


def add(vid, cls, desc, segments, tags, fams=(4,), before=0):
    """Adds the variant once per family; the id gets -v4 / -v6. before:
    legit_before (see the docstring), for attack variants only."""
    assert cls in ("legit", "attack", "either"), cls
    assert not before or cls == "attack", vid
    segs = [s if isinstance(s, dict) else seg(s) for s in segments]
    for f in fams:
        i = "%s-v%d" % (vid, f)
        assert i not in ids, i
        ids.add(i)
        v = {"id": i, "description": desc, "family": f, "class": cls,
             "tags": list(tags)}
        if before:
            v["legit_before"] = before
        v["assumes"] = ASSUMES
        v["segments"] = [dict(s) for s in segs]
        out.append(v)


def req(target="/", host=WWW, method="GET", version="HTTP/1.1", extra="",
        eol="\r\n", bot=False):
    """A whole request with its header block; host None: no Host line."""
    lines = ["%s %s %s" % (method, target, version)]
    if host is not None:
        lines.append("Host: %s" % host)
    if bot:
        lines.append("Referer: http://%s" % ATK)
        lines.append("User-Agent: %s" % UA_BOT)
        lines.append("Accept: */*")
    else:
        lines.append("User-Agent: %s" % UA)
        lines.append("Accept: */*")
    s = eol.join(lines) + eol + extra + eol
    return s


SEED = req("/#101", ATK, bot=True)       # the incident's request
BADHOST = req("/", ATK, bot=True)        # unknown Host only
HASH = req("/#101", WWW)                 # '#' only, served Host
GOOD = req("/", WWW)
B46 = (4, 6)

# ---------------------------------------------------------------- baseline
add("good", "legit", "plain GET, served Host", [GOOD], ["baseline"], B46)
add("good-apex", "legit", "plain GET, Host example.org", [req("/", APEX)],
    ["baseline"], B46)
add("good-idn", "legit", "punycode Host of a served IDN (münchen.example.org)",
    [req("/", IDN)], ["host", "idn"], B46)
add("seed", "attack", "the incident: GET /#101 with Host %s" % ATK, [SEED],
    ["baseline", "hash", "badhost"], B46)
add("badhost", "attack", "unknown Host, plain target", [BADHOST],
    ["baseline", "badhost"], B46)
add("hash-served", "attack", "'#' in the target, served Host", [HASH],
    ["baseline", "hash"], B46)
add("good-head", "legit", "HEAD, served Host", [req("/", WWW, "HEAD")],
    ["method"], B46)
add("good-index", "legit", "GET /index.html?q=1, served Host",
    [req("/index.html?q=1", WWW)], ["baseline"])
add("good-http10-host", "legit", "HTTP/1.0 with a served Host",
    [req("/", WWW, version="HTTP/1.0")], ["version"], B46)
add("http10-nohost", "either", "HTTP/1.0 without Host (policy "
    "http.no_host_10; lands on the default vhost)",
    [req("/", None, version="HTTP/1.0")], ["version", "nohost"], B46)
add("http10-badhost", "attack", "HTTP/1.0 with the unknown Host",
    [req("/", ATK, version="HTTP/1.0", bot=True)], ["version", "badhost"])
add("http11-nohost", "attack", "HTTP/1.1 without Host (RFC 9112 3.2: 400)",
    [req("/", None)], ["nohost"], B46)
add("empty-host", "attack", "HTTP/1.1 with an empty Host value",
    ["GET / HTTP/1.1\r\nHost:\r\nUser-Agent: x\r\n\r\n"], ["host"], B46)
add("empty-host-10", "either", "HTTP/1.0 with an empty Host value",
    ["GET / HTTP/1.0\r\nHost:\r\n\r\n"], ["host", "version"])

# ---------------------------------------------------------- leading CRLFs
for n in (1, 2, 3, 5, 9, 10, 11, 12, 20, 50):
    add("lead-crlf%d-seed" % n, "attack",
        "%d CRLF before the seed's request line" % n, ["\r\n" * n + SEED],
        ["leading-crlf"], B46 if n in (1, 11) else (4,))
for n in (1, 2, 10, 11, 20):
    add("lead-lf%d-seed" % n, "attack", "%d bare LF before the seed" % n,
        ["\n" * n + SEED], ["leading-crlf", "bare-lf"])
# The seed holds '#', which Apache refuses anyway: the -badhost forms
# (no '#') show how many empty lines each server skips.
for n in (1, 2, 3, 5, 9, 10, 11, 12, 20):
    add("lead-crlf%d-badhost" % n, "attack",
        "%d CRLF before a request with the unknown Host" % n,
        ["\r\n" * n + BADHOST], ["leading-crlf", "badhost"],
        B46 if n in (1, 10) else (4,))
for n in (1, 2, 10, 11):
    add("lead-lf%d-badhost" % n, "attack",
        "%d bare LF before a request with the unknown Host" % n,
        ["\n" * n + BADHOST], ["leading-crlf", "bare-lf", "badhost"])
add("lead-cr-badhost", "attack", "a lone CR before a request with the "
    "unknown Host", ["\r" + BADHOST], ["leading-crlf", "badhost"])
add("lead-crlf10-good", "either", "10 CRLF before a good request",
    ["\r\n" * 10 + GOOD], ["leading-crlf"])
add("lead-crlf-seg-badhost", "attack", "leading empty line in its own "
    "segment, then the unknown Host", ["\r\n", BADHOST],
    ["leading-crlf", "split", "badhost"])
for n in (1, 2):
    add("lead-crlf%d-good" % n, "legit",
        "%d CRLF before a good request (old clients' CRLF after a POST "
        "body; RFC 9112 2.2 says ignore at least one)" % n,
        ["\r\n" * n + GOOD], ["leading-crlf"], B46 if n == 1 else (4,))
add("lead-crlf11-good", "either", "11 CRLF before a good request",
    ["\r\n" * 11 + GOOD], ["leading-crlf"])
add("lead-cr-seed", "attack", "a lone CR before the seed", ["\r" + SEED],
    ["leading-crlf"])
add("lead-lfcrlf-seed", "attack", "LF then CRLF before the seed",
    ["\n\r\n" + SEED], ["leading-crlf"])
add("lead-sp-seed", "attack", "a space before the method", [" " + SEED],
    ["leading-crlf", "whitespace"])
add("lead-tab-seed", "attack", "a tab before the method", ["\t" + SEED],
    ["leading-crlf", "whitespace"])
add("lead-crlf-sp-seed", "attack", "CRLF then a space before the method",
    ["\r\n " + SEED], ["leading-crlf", "whitespace"])
add("lead-nul-seed", "attack", "a NUL byte before the method",
    ["\x00" + SEED], ["leading-crlf"])
add("lead-crlf-seg-seed", "attack",
    "leading empty line in its own segment, then the seed",
    ["\r\n", SEED], ["leading-crlf", "split"], B46)
add("lead-crlf-seg-good", "legit",
    "leading empty line in its own segment, then a good request",
    ["\r\n", GOOD], ["leading-crlf", "split"])
add("lead-crlf11-seg-seed", "attack",
    "11 empty lines in 11 segments, then the seed",
    ["\r\n"] * 11 + [SEED], ["leading-crlf", "split"])

# ---------------------------------------------------------------- HTTP/0.9
for vid, line, cls, d in (
        ("h09-root", "GET /\r\n", "attack", "HTTP/0.9 GET / (no Host at all)"),
        ("h09-index", "GET /index.html\r\n", "attack", "HTTP/0.9, longer"),
        ("h09-hash", "GET /#101\r\n", "attack", "HTTP/0.9 with '#'"),
        ("h09-lf", "GET /\n", "attack", "HTTP/0.9, bare LF"),
        ("h09-head", "HEAD /\r\n", "attack", "HTTP/0.9-style HEAD"),
        ("h09-post", "POST /\r\n", "attack", "HTTP/0.9-style POST"),
        ("h09-sp", "GET / \r\n", "attack", "HTTP/0.9 with a space before CRLF"),
        ("h09-abs", "GET http://%s/\r\n" % ATK, "attack",
         "HTTP/0.9 absolute-form with the unknown host"),
        ("h09-lead", "\r\nGET /\r\n", "attack", "CRLF then HTTP/0.9"),
        ("h09-then-hdrs", "GET /\r\nHost: %s\r\n\r\n" % ATK, "attack",
         "HTTP/0.9 line followed by header-like lines")):
    add(vid, cls, d, [line], ["http09"], B46 if vid == "h09-root" else (4,))

# ------------------------------------------------- request-line whitespace
for vid, line, d in (
        ("ws-2sp-method", "GET  /#101 HTTP/1.1", "two SP after the method"),
        ("ws-2sp-version", "GET /#101  HTTP/1.1", "two SP before the version"),
        ("ws-sp-eol", "GET /#101 HTTP/1.1 ", "SP before CRLF"),
        ("ws-tab-eol", "GET /#101 HTTP/1.1\t", "tab before CRLF"),
        ("ws-tab-sep", "GET\t/#101\tHTTP/1.1", "tabs as separators"),
        ("ws-tab-sep1", "GET\t/#101 HTTP/1.1", "a tab after the method"),
        ("ws-many-sp", "GET " + " " * 30 + "/#101 HTTP/1.1",
         "31 SP after the method"),
        ("ws-vt", "GET\x0b/#101 HTTP/1.1", "VT as a separator"),
        ("ws-ff", "GET /#101\x0cHTTP/1.1", "FF as a separator"),
        ("ws-cr-sep", "GET /#101\rHTTP/1.1", "bare CR as a separator")):
    add(vid + "-seed", "attack", d + ", seed's request",
        [line + "\r\nHost: %s\r\nUser-Agent: %s\r\n\r\n" % (ATK, UA_BOT)],
        ["whitespace"], B46 if vid in ("ws-2sp-method", "ws-sp-eol") else (4,))
for vid, line, d in (
        ("ws-2sp-method", "GET  / HTTP/1.1", "two SP after the method"),
        ("ws-2sp-version", "GET /  HTTP/1.1", "two SP before the version"),
        ("ws-sp-eol", "GET / HTTP/1.1 ", "SP before CRLF"),
        ("ws-tab-eol", "GET / HTTP/1.1\t", "tab before CRLF"),
        ("ws-many-sp", "GET " + " " * 30 + "/ HTTP/1.1", "31 SP after the method"),
        ("ws-tab-sep", "GET\t/\tHTTP/1.1", "tabs as separators")):
    add(vid + "-badhost", "attack", d + ", unknown Host, no '#'",
        [line + "\r\nHost: %s\r\n\r\n" % ATK], ["whitespace", "badhost"])
    add(vid + "-good", "either", d + ", served Host",
        [line + "\r\nHost: %s\r\n\r\n" % WWW], ["whitespace"])

# ------------------------------------------------------------- line ends
add("lf-seed", "attack", "bare LF line ends throughout, seed",
    [req("/#101", ATK, eol="\n", bot=True)], ["bare-lf"], B46)
add("lf-badhost", "attack", "bare LF line ends, unknown Host",
    [req("/", ATK, eol="\n")], ["bare-lf", "badhost"], B46)
add("lf-good", "either", "bare LF line ends, served Host (scripts, netcat)",
    [req("/", WWW, eol="\n")], ["bare-lf"], B46)
add("lf-mixed-seed", "attack", "CRLF after the request line, LF after fields",
    ["GET /#101 HTTP/1.1\r\nHost: %s\nUser-Agent: x\n\n" % ATK], ["bare-lf"])
add("lf-mixed2-seed", "attack", "LF after the request line, CRLF after fields",
    ["GET /#101 HTTP/1.1\nHost: %s\r\nUser-Agent: x\r\n\r\n" % ATK],
    ["bare-lf"])
add("lf-end-crlf", "attack", "fields end with CRLF, the block with a bare LF",
    ["GET / HTTP/1.1\r\nHost: %s\r\n\n" % ATK], ["bare-lf", "badhost"])
add("lf-mixed-badhost", "attack", "CRLF after the request line, LF after "
    "fields, unknown Host",
    ["GET / HTTP/1.1\r\nHost: %s\nUser-Agent: x\n\n" % ATK],
    ["bare-lf", "badhost"])
add("lf-mixed2-badhost", "attack", "LF after the request line, CRLF after "
    "fields, unknown Host",
    ["GET / HTTP/1.1\nHost: %s\r\nUser-Agent: x\r\n\r\n" % ATK],
    ["bare-lf", "badhost"])
add("cr-eol-seed", "attack", "bare CR line ends",
    ["GET /#101 HTTP/1.1\rHost: %s\r\r" % ATK], ["bare-lf"])
add("crcrlf-seed", "attack", "CR CR LF line ends",
    ["GET /#101 HTTP/1.1\r\r\nHost: %s\r\r\n\r\r\n" % ATK], ["bare-lf"])

# ---------------------------------------------------------------- versions
for v in ("HTTP/1.2", "HTTP/1.9", "HTTP/1.10", "HTTP/1.01", "HTTP/01.1",
          "HTTP/2.0", "HTTP/3.0", "HTTP/9.9", "HTTP/0.9", "HTTP/1",
          "HTTP/1.1.1", "http/1.1", "Http/1.1", "HTTP/ 1.1", "HTTPS/1.1",
          "HTTP/1.1x", "XTTP/1.1", "HTTP/100.1"):
    vid = "ver-" + "".join(c if c.isalnum() else "_" for c in v)
    add(vid + "-seed", "attack", "version %r, seed's request" % v,
        [req("/#101", ATK, version=v, bot=True)], ["version"],
        B46 if v in ("HTTP/1.2", "HTTP/2.0") else (4,))
for v in ("HTTP/1.2", "HTTP/1.9", "HTTP/1.10", "HTTP/1.01", "http/1.1",
          "HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/1"):
    vid = "ver-" + "".join(c if c.isalnum() else "_" for c in v)
    add(vid + "-badhost", "attack", "version %r, unknown Host, no '#'" % v,
        [req("/", ATK, version=v)], ["version", "badhost"])
    add(vid + "-good", "either", "version %r, served Host" % v,
        [req("/", WWW, version=v)], ["version"])

# ----------------------------------------------------------------- methods
for m in ("get", "Get", "gEt", "PROPFIND", "FOO", "BREW", "M-SEARCH",
          "G3T", "X_Y", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "GETT", "GE",
          "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "POST", "HEAD",
          "MKCOL", "LOCK", "SEARCH", "QUERY", "\xc7ET"):
    vid = "m-" + "".join(c if c.isalnum() else "_" for c in m)
    if m == "\xc7ET":
        vid = "m-latin1"
    add(vid + "-seed", "attack", "method %r, '#' and unknown Host" % m,
        [req("/#101", ATK, method=m, bot=True)], ["method"],
        B46 if m in ("get", "PROPFIND") else (4,))
for m in ("get", "FOO", "PROPFIND", "OPTIONS", "DELETE", "PUT"):
    vid = "m-" + m.lower()
    add(vid + "-badhost", "attack", "method %r, unknown Host, no '#'" % m,
        [req("/", ATK, method=m)], ["method", "badhost"])
for m, cls in (("OPTIONS", "legit"), ("POST", "legit"), ("get", "either"),
               ("PROPFIND", "either"), ("FOO", "either")):
    ex = "Content-Length: 0\r\n" if m == "POST" else ""
    add("m-%s-good" % m.lower(), cls, "method %r, served Host" % m,
        [req("/", WWW, method=m, extra=ex)], ["method"])
add("m-options-star", "legit", "OPTIONS * with a served Host",
    [req("*", WWW, method="OPTIONS")], ["method"])
add("m-options-star-bad", "attack", "OPTIONS * with the unknown Host",
    [req("*", ATK, method="OPTIONS")], ["method", "badhost"])
add("m-connect-bad", "attack", "CONNECT to the unknown host:443",
    [req("%s:443" % ATK, ATK, method="CONNECT")], ["method", "badhost"])
add("m-connect-served", "either", "CONNECT www.example.org:80",
    [req("%s:80" % WWW, WWW, method="CONNECT")], ["method"])
add("m-get-star", "attack", "GET * with the unknown Host",
    [req("*", ATK)], ["method", "badhost"])

# ------------------------------------------------------------ Host length


def longname(n, suffix=".com"):
    """A syntactically valid name of exactly n bytes (labels <= 63)."""
    body = n - len(suffix)
    labels = []
    while body > 0:
        k = min(63, body)
        if body - k == 1:      # avoid a 0-byte label before the suffix
            k -= 1
        if labels:
            k -= 1             # the dot
            if k <= 0:
                labels[-1] = labels[-1][:-1]
                k = 1
        labels.append("a" * k)
        body -= k + (1 if len(labels) > 1 else 0)
    s = ".".join(labels) + suffix
    assert len(s) == n, (n, len(s))
    return s


for n in (63, 64, 65, 100, 128, 200, 253, 254, 255, 256, 300, 1000, 4000):
    h = longname(n)
    add("hostlen-%d" % n, "attack", "unknown Host of %d bytes" % n,
        [req("/", h)], ["host", "host-length"],
        B46 if n in (65, 255, 300) else (4,))
add("hostlen-300-onelabel", "attack", "Host: one 300-byte label",
    [req("/", "a" * 296 + ".com")], ["host", "host-length"])
add("hostlen-served-suffix", "attack",
    "Host of 120 bytes ending in .www.example.org (no wildcard served)",
    [req("/", longname(120, "." + WWW))], ["host", "host-length"])

# ----------------------------------------------------- OWS before the value
for n, ch, cls in ((0, " ", "legit"), (8, " ", "attack"), (9, " ", "attack"),
                   (16, " ", "attack"), (100, " ", "attack"),
                   (1, "\t", "attack"), (9, "\t", "attack"),
                   (5, " \t", "attack")):
    name = "sp" if ch == " " else ("tab" if ch == "\t" else "mix")
    host = ATK if cls == "attack" else WWW
    add("ows-%s%d" % (name, n), cls,
        "%d x %r before the Host value (%s)" % (n, ch, host),
        ["GET / HTTP/1.1\r\nHost:%s%s\r\nUser-Agent: x\r\n\r\n"
         % (ch * n, host)], ["ows"], B46 if n == 9 else (4,))
for n, ch in ((9, " "), (1, "\t"), (100, " ")):
    name = "sp" if ch == " " else "tab"
    add("ows-%s%d-good" % (name, n), "either",
        "%d x %r before a served Host value" % (n, ch),
        ["GET / HTTP/1.1\r\nHost:%s%s\r\n\r\n" % (ch * n, WWW)], ["ows"])
add("ows-trail-sp-bad", "attack", "trailing spaces after the unknown Host",
    ["GET / HTTP/1.1\r\nHost: %s    \r\n\r\n" % ATK], ["ows"])
add("ows-trail-tab-bad", "attack", "tabs around the unknown Host value",
    ["GET / HTTP/1.1\r\nHost:\t%s\t\r\n\r\n" % ATK], ["ows"])
add("ows-trail-sp-good", "legit", "trailing space after a served Host",
    ["GET / HTTP/1.1\r\nHost: %s \r\n\r\n" % WWW], ["ows"])
add("ows-tabs-good", "either", "tabs around a served Host value",
    ["GET / HTTP/1.1\r\nHost:\t%s\t\r\n\r\n" % WWW], ["ows"])
add("host-sp-colon", "attack", "whitespace between Host and ':' (RFC 9112 5.1)",
    ["GET / HTTP/1.1\r\nHost : %s\r\n\r\n" % ATK], ["host"])
add("host-sp-colon-good", "either", "'Host :' with a served value",
    ["GET / HTTP/1.1\r\nHost : %s\r\n\r\n" % WWW], ["host"])

# ---------------------------------------------------------------- obs-fold
add("fold-host-bad", "attack", "obs-fold: Host value on a continuation line",
    ["GET / HTTP/1.1\r\nHost:\r\n %s\r\nUser-Agent: x\r\n\r\n" % ATK],
    ["obs-fold"], B46)
add("fold-host-good", "either", "obs-fold: served Host on a continuation line",
    ["GET / HTTP/1.1\r\nHost:\r\n %s\r\nUser-Agent: x\r\n\r\n" % WWW],
    ["obs-fold"])
add("fold-host-tab-bad", "attack", "obs-fold with a tab",
    ["GET / HTTP/1.1\r\nHost:\r\n\t%s\r\n\r\n" % ATK], ["obs-fold"])
add("fold-host-append", "attack", "served Host folded onto a junk tail",
    ["GET / HTTP/1.1\r\nHost: %s\r\n %s\r\n\r\n" % (WWW, ATK)], ["obs-fold"])
add("fold-other-good", "either", "obs-fold in another field, served Host",
    ["GET / HTTP/1.1\r\nHost: %s\r\nX-A: a\r\n b\r\n\r\n" % WWW],
    ["obs-fold"])
add("fold-hides-host", "attack", "Host line folded into the previous field "
    "(' Host: served'), then the unknown Host",
    ["GET / HTTP/1.1\r\nX-A: a\r\n Host: %s\r\nHost: %s\r\n\r\n" % (WWW, ATK)],
    ["obs-fold", "dup-host"])
add("ws-first-field-bad", "attack",
    "whitespace before the first field line (RFC 9112 2.2)",
    ["GET / HTTP/1.1\r\n Host: %s\r\n\r\n" % ATK], ["obs-fold"])
add("ws-first-field-good", "either",
    "whitespace-prefixed first line, then a served Host",
    ["GET / HTTP/1.1\r\n X: y\r\nHost: %s\r\n\r\n" % WWW], ["obs-fold"])

# ---------------------------------------------------- Host with space etc.
for vid, h, cls, d in (
        ("host-sp-inside", "%s %s" % (WWW, ATK), "attack", "served, SP, junk"),
        ("host-sp-inside2", "%s %s" % (ATK, WWW), "attack", "junk, SP, served"),
        ("host-sp-mid", "0jej hcec65c24dslii.com", "attack", "SP in a name"),
        ("host-tab-inside", "%s\t%s" % (WWW, ATK), "attack", "tab inside"),
        ("host-comma", "%s, %s" % (WWW, ATK), "attack", "a list"),
        ("host-comma2", "%s,%s" % (ATK, WWW), "attack", "a list, junk first"),
        ("host-slash", "%s/x" % ATK, "attack", "a '/' in the value"),
        ("host-slash-served", "%s/x" % WWW, "attack", "served then '/'"),
        ("host-hash", "%s#x" % WWW, "attack", "served then '#'"),
        ("host-at", "%s@%s" % (WWW, ATK), "attack", "userinfo-like '@'"),
        ("host-underscore", "www_example.org", "attack", "underscore"),
        ("host-star", "*.example.org", "attack", "a '*'"),
        ("host-nonascii", "m\xfcnchen.example.org", "attack",
         "raw Latin-1 byte (not punycode)"),
        ("host-utf8", "m\xc3\xbcnchen.example.org", "attack",
         "raw UTF-8 IDN (browsers send punycode)"),
        ("host-utf8-atk", "0jejhcec65c24dslii.c\xc3\xb6m", "attack",
         "unknown UTF-8 name"),
        ("host-dotdot", "www..example.org", "attack", "empty label"),
        ("host-dot-lead", ".www.example.org", "attack", "leading dot"),
        ("host-two-dots", "www.example.org..", "attack", "two trailing dots"),
        ("host-print-forged", "0jejhcec65c24dslii.com-0\xa7\xac~\xa5\xee\xc5\xd3\xd8",
         "attack", "the review's Host with the print of www.example.org"),
        ("host-print-diff", "shop.ex\xe1mple*co\xed", "attack",
         "the review's key-independent print collision"),
        ("host-localhost", "localhost", "either", "localhost (health checks)"),
        ("host-digit-end", "web01", "attack", "an unserved name ending in a digit"),
        ("host-nul", "%s\x00%s" % (WWW, ATK), "attack", "NUL inside")):
    add(vid, cls, "Host: " + d, [req("/", h)], ["host"],
        B46 if vid in ("host-sp-inside", "host-comma") else (4,))

# ------------------------------------------------------ Host forms, legit
for vid, h, cls, d in (
        ("host-port80", WWW + ":80", "legit", "served name with :80"),
        ("host-port8080", WWW + ":8080", "legit", "served name with another port"),
        ("host-port-empty", WWW + ":", "either", "served name with an empty port"),
        ("host-port-junk", WWW + ":abc", "either", "non-numeric port"),
        ("host-port-big", WWW + ":99999", "either", "port out of range"),
        ("host-port-bad", ATK + ":80", "attack", "unknown name with :80"),
        ("host-dot", WWW + ".", "legit", "trailing dot"),
        ("host-dot-port", WWW + ".:80", "legit", "trailing dot and port"),
        ("host-upper", WWW.upper(), "legit", "upper case"),
        ("host-mixed", "Www.Example.ORG", "legit", "mixed case"),
        ("host-idn-upper", IDN.upper(), "legit", "upper-case punycode"),
        ("host-apex-dot", APEX + ".", "legit", "apex with trailing dot"),
        ("host-bad-upper", ATK.upper(), "attack", "unknown name upper case")):
    add(vid, cls, "Host: " + d, [req("/", h)], ["host"],
        B46 if vid in ("host-port80", "host-dot", "host-upper") else (4,))
add("hdr-lower", "legit", "field name 'host' lower case",
    ["GET / HTTP/1.1\r\nhost: %s\r\n\r\n" % WWW], ["host"])
add("hdr-upper-bad", "attack", "field name 'HOST', unknown value",
    ["GET / HTTP/1.1\r\nHOST: %s\r\n\r\n" % ATK], ["host"])
add("hdr-mixed-bad", "attack", "field name 'hOsT', unknown value",
    ["GET / HTTP/1.1\r\nhOsT: %s\r\n\r\n" % ATK], ["host"])

# Names that start like one the parser acts on, judged in one step by
# its fast path (bpf/hparse.bpf.h hp_name_other()): another field, then
# the unknown Host the server routes by.
for vid, name in (("name-hostx-bad", "Hostx"),
                  ("name-uir-bad", "Upgrade-Insecure-Requests"),
                  ("name-upgradex-bad", "Upgradex")):
    add(vid, "attack", "a field %r with a served name, then the unknown Host"
        % name,
        ["GET / HTTP/1.1\r\n%s: %s\r\nHost: %s\r\nAccept: */*\r\n\r\n"
         % (name, WWW, ATK)], ["host"], B46)

# ------------------------------------------------------------ duplicate Host
for vid, a, b, cls in (("dup-same", WWW, WWW, "either"),
                       ("dup-good-bad", WWW, ATK, "attack"),
                       ("dup-bad-good", ATK, WWW, "attack"),
                       ("dup-bad-bad", ATK, ATK, "attack")):
    add(vid, cls, "two Host fields: %s then %s" % (a, b),
        ["GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: x\r\nHost: %s\r\n\r\n"
         % (a, b)], ["dup-host"], B46 if vid == "dup-good-bad" else (4,))
add("dup-case", "attack", "'Host: served' and 'host: unknown'",
    ["GET / HTTP/1.1\r\nHost: %s\r\nhost: %s\r\n\r\n" % (WWW, ATK)],
    ["dup-host"])

# -------------------------------------------------------------- IP literals
for vid, h, cls, d, fams in (
        ("ip-own4", SRV4, "either", "the server's own IPv4 address (policy "
         "http.ip_host)", B46),
        ("ip-own4-port", SRV4 + ":80", "either", "own IPv4 with :80", (4,)),
        ("ip-own6", "[%s]" % SRV6, "either", "the server's own IPv6 address",
         B46),
        ("ip-own6-port", "[%s]:80" % SRV6, "either", "own IPv6 with :80", (6,)),
        ("ip-own6-long", "[2001:0db8:0000:0000:0000:0000:0000:0001]", "either",
         "own IPv6, uncompressed", (6,)),
        ("ip-own6-upper", "[2001:DB8::1]", "either", "own IPv6, upper case", (6,)),
        ("ip-other4", "203.0.113.7", "attack", "another IPv4 address", B46),
        ("ip-other4-port", "203.0.113.7:80", "attack", "another IPv4 with :80", (4,)),
        ("ip-loop4", "127.0.0.1", "attack", "loopback", (4,)),
        ("ip-priv4", "10.0.0.1", "attack", "a private address", (4,)),
        ("ip-digit", "1", "attack", "'1' (all digits)", (4,)),
        ("ip-short", "192.0.2", "attack", "three-part dotted", (4,)),
        ("ip-decimal", "3221225985", "attack", "192.0.2.1 as one decimal", (4,)),
        ("ip-octal", "0300.0.02.01", "attack", "192.0.2.1 in octal", (4,)),
        ("ip-hex", "0xc0.0.2.1", "attack", "hex first octet", (4,)),
        ("ip-256", "192.0.2.256", "attack", "octet > 255", (4,)),
        ("ip-own4-dot", SRV4 + ".", "either", "own IPv4 with a trailing dot", (4,)),
        ("ip-other6", "[2001:db8::99]", "attack", "another IPv6 address", B46),
        ("ip-loop6", "[::1]", "attack", "IPv6 loopback", (6,)),
        ("ip-mapped", "[::ffff:192.0.2.1]", "attack",
         "own IPv4 as a v4-mapped IPv6 literal", B46),
        ("ip-bare6", SRV6, "attack", "own IPv6 without brackets", (6,)),
        ("ip-bracket-name", "[%s]" % ATK, "attack", "a name in brackets", (4,)),
        ("ip-bracket-junk", "[evil", "attack", "'[' and junk", (4,)),
        ("ip-zone", "[fe80::1%25eth0]", "attack", "a zone id", (6,)),
        ("ip-future", "[v1.x]", "attack", "IPvFuture", (4,))):
    add(vid, cls, "Host: " + d, [req("/", h)], ["ip-literal"], fams)

# --------------------------------------------------------------- absolute form
for vid, tgt, host, cls, d, fams in (
        ("abs-http-served", "http://%s/" % WWW, WWW, "legit",
         "http:// served authority, same Host", B46),
        ("abs-http-served-port", "http://%s:80/" % WWW, WWW, "legit",
         "http:// served authority with :80", (4,)),
        ("abs-http-nopath", "http://%s" % WWW, WWW, "either",
         "http:// without a path", (4,)),
        ("abs-http-served-nohost", "http://%s/" % WWW, None, "either",
         "http:// served authority, no Host field", (4,)),
        ("abs-http-bad-hostgood", "http://%s/" % ATK, WWW, "attack",
         "http:// unknown authority, served Host", B46),
        ("abs-http-good-hostbad", "http://%s/" % WWW, ATK, "either",
         "http:// served authority, unknown Host (both servers use the "
         "authority, RFC 9112 3.2.2; stopping it is a policy choice)", B46),
        ("abs-https-good-hostbad", "https://%s/" % WWW, ATK, "attack",
         "https:// served authority, unknown Host (Apache uses the Host)", B46),
        ("abs-https-bad-hostgood", "https://%s/" % ATK, WWW, "attack",
         "https:// unknown authority, served Host", B46),
        ("abs-https-served", "https://%s/" % WWW, WWW, "either",
         "https:// served authority, same Host, on port 80", (4,)),
        ("abs-xhttp-bad", "xhttp://%s/" % ATK, WWW, "attack",
         "unknown scheme xhttp:// with the unknown authority", B46),
        ("abs-ftp-bad", "ftp://%s/" % ATK, WWW, "attack", "ftp://", (4,)),
        ("abs-ws-bad", "ws://%s/" % ATK, WWW, "attack", "ws://", (4,)),
        ("abs-upper-bad", "HTTP://%s/" % ATK, WWW, "attack",
         "upper-case HTTP://", (4,)),
        ("abs-mixed-bad", "hTtP://%s/" % ATK, WWW, "attack",
         "mixed-case scheme", (4,)),
        ("abs-port-bad", "http://%s:80/" % ATK, WWW, "attack",
         "unknown authority with :80", (4,)),
        ("abs-port8080-good", "http://%s:8080/" % WWW, WWW, "either",
         "served authority, port 8080", (4,)),
        ("abs-userinfo", "http://%s@%s/" % (WWW, ATK), WWW, "attack",
         "userinfo: served@unknown", B46),
        ("abs-userinfo2", "http://%s@%s/" % (ATK, WWW), WWW, "either",
         "userinfo: unknown@served", (4,)),
        ("abs-ip-own", "http://%s/" % SRV4, WWW, "either",
         "own IPv4 as the authority", (4,)),
        ("abs-ip6-own", "http://[%s]/" % SRV6, WWW, "either",
         "own IPv6 as the authority", (6,)),
        ("abs-ip-other", "http://203.0.113.7/", WWW, "attack",
         "another IPv4 as the authority", (4,)),
        ("abs-hash", "http://%s/#101" % WWW, WWW, "attack",
         "absolute-form with '#'", (4,)),
        ("abs-seed", "http://%s/#101" % ATK, ATK, "attack",
         "absolute-form seed", B46),
        ("abs-oneslash", "http:/%s/" % ATK, WWW, "attack",
         "'http:/' (one slash)", (4,)),
        # both servers take '//host/' as a path and route it by the
        # served Host field (404 from the served vhost): not an attack on
        # the catch-all, and curl and browsers send '//' paths
        ("abs-schemeless", "//%s/" % ATK, WWW, "either",
         "'//host/' (network-path reference: a path)", (4,)),
        ("abs-noslash", "http:%s/" % ATK, WWW, "attack", "'http:host'", (4,)),
        ("abs-dot", "http://%s./" % WWW, WWW, "legit",
         "served authority with a trailing dot", (4,)),
        ("abs-upperhost", "http://WWW.EXAMPLE.ORG/", WWW, "legit",
         "served authority upper case", (4,)),
        ("abs-long", "http://%s/" % longname(255), WWW, "attack",
         "255-byte unknown authority", (4,)),
        ("abs-h2c-scheme", "h2c://%s/" % ATK, WWW, "attack",
         "scheme h2c", (4,))):
    add(vid, cls, "absolute-form: " + d, [req(tgt, host)], ["absolute-form"],
        fams)

# ---------------------------------------------------------------- '#' forms
for vid, tgt, cls in (("hash-bare", "/#", "attack"),
                      ("hash-path", "/a#b", "attack"),
                      ("hash-query", "/?q=#x", "attack"),
                      ("hash-slash", "/#/x", "attack"),
                      ("hash-index", "/index.html#top", "attack"),
                      ("hash-only", "#", "attack"),
                      ("hash-double", "/##", "attack"),
                      ("hash-late", "/" + "a" * 1500 + "#1", "attack"),
                      ("hash-pct23", "/%23", "legit"),
                      ("hash-pct23-mid", "/a%23b", "legit"),
                      ("hash-pct-lower", "/?x=%2523", "legit")):
    add(vid, cls, "target %r, served Host" % (tgt[:40] + ("..." if len(tgt) > 40 else "")),
        [req(tgt, WWW)], ["hash"], B46 if vid in ("hash-bare", "hash-pct23") else (4,))
add("hash-referer", "legit", "'#' only in a Referer value",
    [req("/", WWW, extra="Referer: http://%s/page#top\r\n" % WWW)], ["hash"])
add("hash-pct23-badhost", "attack", "%23 with the unknown Host",
    [req("/%23", ATK)], ["hash", "badhost"])

# ---------------------------------------------------------------- pipelining
BAD2 = req("/#101", ATK, bot=True)
add("pipe-good-bad", "attack", "good request then the seed, one segment",
    [GOOD + BAD2], ["pipelining"], B46, before=1)
add("pipe-bad-good", "attack", "the seed then a good request, one segment",
    [BAD2 + GOOD], ["pipelining"], B46)
add("pipe-good-badhost", "attack", "good then unknown Host (no '#'), one segment",
    [GOOD + BADHOST], ["pipelining", "badhost"], B46, before=1)
add("pipe-good-good", "legit", "two good requests, one segment",
    [GOOD + GOOD], ["pipelining"], B46)
add("pipe-good-good-good", "legit", "three good requests, one segment",
    [GOOD * 3], ["pipelining"])
add("pipe-good-crlf-bad", "attack", "good, CRLF, the seed, one segment",
    [GOOD + "\r\n" + BAD2], ["pipelining", "leading-crlf"], before=1)
add("pipe-good-crlf-good", "legit", "good, CRLF, good, one segment",
    [GOOD + "\r\n" + GOOD], ["pipelining", "leading-crlf"])
add("pipe-good-h09", "attack", "good then an HTTP/0.9 line, one segment",
    [GOOD + "GET /\r\n"], ["pipelining", "http09"], before=1)
add("pipe-seg-good-bad", "attack", "good in segment 1, the seed in segment 2",
    [GOOD, BAD2], ["pipelining", "split"], B46, before=1)
add("pipe-seg-bad-good", "attack", "the seed in segment 1, good in segment 2",
    [BAD2, GOOD], ["pipelining", "split"])
add("pipe-seg-good-good", "legit", "good in segment 1, good in segment 2",
    [GOOD, GOOD], ["pipelining", "split"])
add("pipe-straddle", "attack", "good + first half of the seed, then the rest",
    [GOOD + BAD2[:9], BAD2[9:]], ["pipelining", "split"], B46, before=1)
add("pipe-straddle-good", "legit", "good + half of a good, then the rest",
    [GOOD + GOOD[:9], GOOD[9:]], ["pipelining", "split"])
add("pipe-head-bad", "attack", "HEAD good then the seed, one segment",
    [req("/", WWW, "HEAD") + BAD2], ["pipelining"], before=1)
add("pipe-10good-bad", "attack", "ten good requests then the seed, one segment",
    [GOOD * 10 + BAD2], ["pipelining"], before=10)
add("pipe-lf-good-bad", "attack", "bare-LF good then bare-LF seed",
    [req("/", WWW, eol="\n") + req("/#101", ATK, eol="\n")],
    ["pipelining", "bare-lf"], before=1)

# -------------------------------------------------------------- segments


def split_at(s, *cuts):
    parts, last = [], 0
    for c in cuts:
        parts.append(s[last:c])
        last = c
    parts.append(s[last:])
    return parts


def tiny(s, n):
    return [s[i:i + n] for i in range(0, len(s), n)]


SHORT_SEED = "GET /#101 HTTP/1.1\r\nHost: %s\r\n\r\n" % ATK
SHORT_BAD = "GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % ATK
SHORT_GOOD = "GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % WWW
add("split-before-hash", "attack", "request line split just before '#'",
    split_at(SHORT_SEED, 5), ["split"], B46)
add("split-after-hash", "attack", "request line split just after '#'",
    split_at(SHORT_SEED, 6), ["split"])
add("split-method", "attack", "first segment 'G' only",
    split_at(SHORT_SEED, 1), ["split"], B46)
add("split-method-good", "legit", "first segment 'G' only, good request",
    split_at(SHORT_GOOD, 1), ["split"])
add("split-7", "attack", "first segment 'GET /#1' (7 bytes)",
    split_at(SHORT_SEED, 7), ["split"])
add("split-crlf", "attack", "split between CR and LF of the request line",
    split_at(SHORT_SEED, SHORT_SEED.index("\n")), ["split"])
add("split-host-2nd", "attack", "unknown Host in the 2nd segment",
    ["GET / HTTP/1.1\r\nUser-Agent: %s\r\n" % UA, "Host: %s\r\n\r\n" % ATK],
    ["split", "badhost"], B46)
add("split-host-2nd-good", "legit", "served Host in the 2nd segment",
    ["GET / HTTP/1.1\r\nUser-Agent: %s\r\n" % UA, "Host: %s\r\n\r\n" % WWW],
    ["split"], B46)
add("split-host-name", "attack", "split inside the field name 'Ho|st'",
    split_at(SHORT_BAD, SHORT_BAD.index("Host") + 2), ["split", "badhost"])
add("split-host-value", "attack", "split inside the Host value",
    split_at(SHORT_BAD, SHORT_BAD.index(ATK) + 5), ["split", "badhost"])
add("split-host-value-good", "legit", "split inside a served Host value",
    split_at(SHORT_GOOD, SHORT_GOOD.index(WWW) + 5), ["split"])
add("split-host-ows", "attack", "split between 'Host:' and its value",
    split_at(SHORT_BAD, SHORT_BAD.index(ATK)), ["split", "badhost"])
add("split-end-crlf", "attack", "the final CRLF in its own segment",
    split_at(SHORT_SEED, len(SHORT_SEED) - 2), ["split"])
add("split-3seg-seed", "attack", "seed in 3 segments",
    split_at(SEED, 12, 50), ["split"], B46)
add("split-4seg-badhost", "attack", "unknown Host over 4 segments",
    split_at(BADHOST, 10, 22, 30), ["split", "badhost"])
add("split-2seg-good", "legit", "good request in 2 segments",
    split_at(GOOD, 20), ["split"])
for n in (1, 2, 3):
    add("tiny%d-seed" % n, "attack", "seed in %d-byte segments" % n,
        tiny(SHORT_SEED, n), ["tiny", "split"], B46 if n == 1 else (4,))
    add("tiny%d-good" % n, "legit", "good request in %d-byte segments" % n,
        tiny(SHORT_GOOD, n), ["tiny", "split"], B46 if n == 2 else (4,))
add("tiny2-badhost", "attack", "unknown Host in 2-byte segments",
    tiny(SHORT_BAD, 2), ["tiny", "split", "badhost"])

# Host after 4 KB of headers.
FILL = "".join("X-Fill-%02d: %s\r\n" % (i, "f" * 90) for i in range(44))
assert len(FILL) > 4096
add("late-host-4k", "attack", "unknown Host after 4 KB of fields (one send; "
    "TCP cuts it at the MSS)",
    ["GET / HTTP/1.1\r\n" + FILL + "Host: %s\r\n\r\n" % ATK], ["late-host"], B46)
add("late-host-4k-good", "legit", "served Host after 4 KB of fields",
    ["GET / HTTP/1.1\r\n" + FILL + "Host: %s\r\n\r\n" % WWW], ["late-host"], B46)
LH = "GET / HTTP/1.1\r\n" + FILL + "Host: %s\r\n\r\n" % ATK
add("late-host-4k-segs", "attack", "unknown Host after 4 KB, 1400-byte segments",
    tiny(LH, 1400), ["late-host", "split"])
LHG = "GET / HTTP/1.1\r\n" + FILL + "Host: %s\r\n\r\n" % WWW
add("late-host-4k-segs-good", "legit", "served Host after 4 KB, 1400-byte segments",
    tiny(LHG, 1400), ["late-host", "split"])
LHH = "GET /#101 HTTP/1.1\r\n" + FILL + "Host: %s\r\n\r\n" % WWW
add("late-host-4k-hash", "attack", "'#' target, served Host after 4 KB",
    tiny(LHH, 1400), ["late-host", "hash"])
FILL8 = "".join("X-Fill-%02d: %s\r\n" % (i, "f" * 90) for i in range(76))
add("late-host-7k", "attack", "unknown Host after 7 KB of fields",
    tiny("GET / HTTP/1.1\r\n" + FILL8 + "Host: %s\r\n\r\n" % ATK, 1400),
    ["late-host"])
add("long-target-bad", "attack", "2 KB target, then the unknown Host",
    [req("/" + "p" * 2048, ATK)], ["late-host", "badhost"])
add("long-target-good", "legit", "2 KB target, served Host",
    [req("/?" + "p" * 2048, WWW)], ["late-host"])

# ------------------------------------------------------------- upgrades, h2
WS = ("GET /chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\nOrigin: http://%s\r\n\r\n")
add("websocket-good", "legit", "WebSocket upgrade to a served Host",
    [WS % (WWW, WWW)], ["upgrade"], B46)
add("websocket-bad", "attack", "WebSocket upgrade to the unknown Host",
    [WS % (ATK, ATK)], ["upgrade", "badhost"])
H2C = ("GET / HTTP/1.1\r\nHost: %s\r\nConnection: Upgrade, HTTP2-Settings\r\n"
       "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
add("h2c-upgrade-good", "legit", "Upgrade: h2c to a served Host",
    [H2C % WWW], ["upgrade", "h2"])
add("h2c-upgrade-bad", "attack", "Upgrade: h2c to the unknown Host",
    [H2C % ATK], ["upgrade", "h2", "badhost"])
PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS = "\x00\x00\x00\x04\x00\x00\x00\x00\x00"
add("h2-preface", "either", "HTTP/2 prior-knowledge preface + empty SETTINGS "
    "(legit where the port serves h2c)", [PREFACE + SETTINGS], ["h2"], B46)
add("h2-preface-only", "either", "the 24-byte preface alone", [PREFACE], ["h2"])
add("h2-preface-split", "either", "the preface in two segments",
    [PREFACE[:16], PREFACE[16:] + SETTINGS], ["h2", "split"])
add("pri-http11", "attack", "PRI * HTTP/1.1 with the unknown Host",
    [req("*", ATK, method="PRI")], ["h2", "method"])

# ------------------------------------------------------------ bodies, POST


def post(body, host=WWW, te=False, expect=False, cl=None):
    h = "POST /form HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n" % (host, UA)
    h += "Content-Type: text/plain\r\n"
    if expect:
        h += "Expect: 100-continue\r\n"
    if te:
        h += "Transfer-Encoding: chunked\r\n"
    else:
        h += "Content-Length: %d\r\n" % (len(body) if cl is None else cl)
    return h + "\r\n"


def chunked(body, size=16):
    out_ = ""
    for i in range(0, len(body), size):
        c = body[i:i + size]
        out_ += "%x\r\n%s\r\n" % (len(c), c)
    return out_ + "0\r\n\r\n"


RL = SEED  # request-like text in a body
add("post-body-reqlike", "legit", "POST whose body is a request (one segment)",
    [post(RL) + RL], ["body"], B46)
add("post-body-reqlike-seg", "legit",
    "POST; its body, a request-like text, in its own segment",
    [post(RL), RL], ["body", "split"], B46)
add("post-body-reqlike-3seg", "legit",
    "POST; body in two segments, each starting like a request",
    [post(RL + BADHOST), RL, BADHOST], ["body", "split"])
add("post-body-crlf-reqlike", "legit",
    "POST; body segment starting with CRLF then a request",
    [post("\r\n" + RL), "\r\n" + RL], ["body", "split"])
add("post-body-h09like", "legit", "POST; body segment 'GET /\\r\\n...'",
    [post("GET /\r\nmore text\r\n"), "GET /\r\nmore text\r\n"], ["body", "split"])
BIG = ("GET /#%d HTTP/1.1\r\nHost: %s\r\n\r\n" % (0, ATK)) * 90
add("post-big-reqlike", "legit", "POST of 4 KB of request-like lines, "
    "1400-byte segments", [post(BIG)] + tiny(BIG, 1400), ["body", "split"])
add("post-expect", "legit", "Expect: 100-continue, headers, pause, body",
    [seg(post("hello=world", expect=True), pause=0.3), "hello=world"],
    ["body", "expect"], B46)
add("post-expect-reqlike", "legit", "Expect: 100-continue; body is a request",
    [seg(post(RL, expect=True), pause=0.3), RL], ["body", "expect"])
add("post-expect-bad", "attack", "Expect: 100-continue to the unknown Host",
    [seg(post("a=b", ATK, expect=True), pause=0.3), "a=b"], ["body", "expect"])
add("post-chunked", "legit", "chunked body, one segment",
    [post("", te=True) + chunked("hello world, chunked")], ["body", "chunked"],
    B46)
add("post-chunked-reqlike", "legit", "chunked body holding request text, "
    "chunks in their own segments",
    [post("", te=True)] + [("%x\r\n%s\r\n" % (len(c), c))
                           for c in (RL[:30], RL[30:])] + ["0\r\n\r\n"],
    ["body", "chunked", "split"])
add("post-chunked-bare", "legit", "chunk data segment starting 'GET /#'",
    [post("", te=True) + "%x\r\n" % len(RL), RL + "\r\n0\r\n\r\n"],
    ["body", "chunked", "split"])
add("post-chunked-ext", "either", "chunk extension and trailer",
    [post("", te=True) + "5;ext=1\r\nhello\r\n0\r\nX-T: y\r\n\r\n"],
    ["body", "chunked"])
add("post-cl0-then-bad", "attack", "POST Content-Length: 0, then the seed, "
    "one segment", [post("", cl=0) + SEED], ["body", "pipelining"], B46, before=1)
add("post-cl-short-smuggle", "attack", "Content-Length shorter than the data: "
    "the rest is the seed", [post("hello", cl=5) + "hello" + SEED],
    ["body", "pipelining"], B46, before=1)
add("post-chunked-then-bad", "attack", "chunked body then the seed, one segment",
    [post("", te=True) + chunked("hi") + SEED], ["body", "pipelining", "chunked"],
    before=1)
add("post-then-bad-seg", "attack", "POST with body, then the seed in segment 2",
    [post("a=1") + "a=1", SEED], ["body", "pipelining", "split"], before=1)
add("post-body-then-bad-seg", "attack",
    "POST headers; segment 2 = body tail + the seed",
    [post("abcdef"), "abcdef" + SEED], ["body", "pipelining", "split"], before=1)
add("post-te-cl", "attack", "Transfer-Encoding and Content-Length both, "
    "unknown Host",
    ["POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: 4\r\n"
     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % ATK], ["body", "badhost"])
add("post-badhost-body", "attack", "POST with a body to the unknown Host",
    [post("a=1", ATK) + "a=1"], ["body", "badhost"], B46)
add("put-good", "legit", "PUT with a body, served Host",
    ["PUT /x HTTP/1.1\r\nHost: %s\r\nContent-Length: 3\r\n\r\nabc" % WWW],
    ["body", "method"])

# --------------------------------------------------------------- keep-alive
KA = req("/", WWW, extra="Connection: keep-alive\r\n")
add("ka-good-good", "legit", "keep-alive: good, pause, good",
    [seg(KA, pause=0.3), KA], ["keep-alive"], B46)
add("ka-3good", "legit", "keep-alive: three good requests, paused",
    [seg(KA, pause=0.3), seg(KA, pause=0.3), KA], ["keep-alive"])
add("ka-good-bad", "attack", "keep-alive: good, pause, the seed",
    [seg(KA, pause=0.3), SEED], ["keep-alive"], B46, before=1)
add("ka-good-badhost", "attack", "keep-alive: good, pause, unknown Host",
    [seg(KA, pause=0.3), BADHOST], ["keep-alive", "badhost"], before=1)
add("ka-good-crlf-bad", "attack", "keep-alive: good, pause, CRLF + seed",
    [seg(KA, pause=0.3), "\r\n" + SEED], ["keep-alive", "leading-crlf"], before=1)
add("ka-good-h09", "attack", "keep-alive: good, pause, HTTP/0.9 line",
    [seg(KA, pause=0.3), "GET /\r\n"], ["keep-alive", "http09"], before=1)
add("ka-good-split-bad", "attack", "keep-alive: good, pause, seed in 2 segments",
    [seg(KA, pause=0.3)] + split_at(SHORT_SEED, 5), ["keep-alive", "split"],
    before=1)
add("ka-post-good", "legit", "keep-alive: POST with body, pause, GET",
    [seg(post("a=1") + "a=1", pause=0.3), KA], ["keep-alive", "body"])
add("ka-10-good", "legit", "keep-alive: ten good requests, 0.05 s apart",
    [KA] * 10, ["keep-alive"])
add("ka-http10", "legit", "HTTP/1.0 keep-alive: two requests",
    [seg(req("/", WWW, version="HTTP/1.0", extra="Connection: keep-alive\r\n"),
         pause=0.3),
     req("/", WWW, version="HTTP/1.0")], ["keep-alive", "version"])

# ---------------------------------------------------------------- urgent data
# Linux sends urgent data at once, TCP_CORK or not (tcp_nagle_test() lets
# urgent mode through): the "cork" forms leave as the urgent byte alone,
# then the rest (see "wire" in measured.json). The one-segment form
# ('x' + request, URG, urgent pointer 1) needs a raw socket; the review
# checked it with BPF_PROG_TEST_RUN. The server reads the same bytes.
add("urg-x-cork-seed", "attack", "urgent byte 'x', then the seed (TCP_CORK, "
    "send('x', MSG_OOB), send(seed): on the wire still two segments)",
    [seg("x", oob=True, cork=True), SEED], ["urg"], B46)
add("urg-x-sep-seed", "attack", "urgent byte 'x' in its own segment, then the seed",
    [seg("x", oob=True), SEED], ["urg", "split"], B46)
add("urg-x-cork-badhost", "attack", "urgent 'x' + unknown Host, one segment",
    [seg("x", oob=True, cork=True), BADHOST], ["urg", "badhost"])
add("urg-x-sep-badhost", "attack", "urgent 'x' in its own segment, then "
    "the unknown Host", [seg("x", oob=True), BADHOST], ["urg", "badhost", "split"])
add("urg-crlf-cork-badhost", "attack", "urgent 'x' then CRLF + unknown Host, "
    "one segment", [seg("x", oob=True, cork=True), "\r\n" + BADHOST],
    ["urg", "badhost", "leading-crlf"])
add("urg-x-cork-good", "either", "urgent 'x' + good request, one segment",
    [seg("x", oob=True, cork=True), GOOD], ["urg"], B46)
add("urg-2byte-seed", "attack", "'\\r' in-band then urgent 'x', then the seed "
    "(only the last byte of an OOB send is urgent)",
    [seg("\rx", oob=True, cork=True), "\n" + SEED], ["urg", "leading-crlf"])
add("urg-hash-mid", "either", "'#' sent as the urgent byte in the middle: "
    "the server reads 'GET /101'",
    [seg("GET /", cork=True), seg("#", oob=True, cork=True),
     "101 HTTP/1.1\r\nHost: %s\r\n\r\n" % WWW], ["urg", "hash"])
add("urg-hostchar-mid", "attack", "urgent byte inside the Host value: "
    "'www.example.org' + urgent 'x' ... the server reads the unknown Host",
    [seg("GET / HTTP/1.1\r\nHost: 0jejhcec65c24dslii", cork=True),
     seg("Z", oob=True, cork=True), ".com\r\n\r\n"], ["urg", "badhost"])
add("urg-after-good", "attack", "good request, then urgent 'x' + the seed",
    [seg(GOOD, pause=0.3), seg("x", oob=True, cork=True), SEED],
    ["urg", "keep-alive"], before=1)

# --------------------------------------------------- misc field/edge cases
add("nul-in-target", "attack", "NUL in the target, unknown Host",
    [req("/a\x00b", ATK)], ["misc"])
add("latin1-target", "either", "raw byte 0xe9 in the target, served Host",
    [req("/caf\xe9", WWW)], ["misc"])
add("ctl-in-host", "attack", "a control byte (0x01) in the Host value",
    [req("/", ATK + "\x01")], ["misc", "host"])
add("hdr-no-colon", "attack", "a field line without ':', then the unknown Host",
    ["GET / HTTP/1.1\r\nJunkLine\r\nHost: %s\r\n\r\n" % ATK], ["misc"])
add("hdr-underscore-host", "attack", "'Ho_st' field (nginx drops it), then no Host",
    ["GET / HTTP/1.1\r\nHo_st: %s\r\n\r\n" % WWW], ["misc", "nohost"])
add("hdr-empty-name", "attack", "': x' field line, unknown Host",
    ["GET / HTTP/1.1\r\n: x\r\nHost: %s\r\n\r\n" % ATK], ["misc"])
add("target-no-slash", "attack", "target without '/' ('index.html')",
    [req("index.html", ATK)], ["misc"])
add("target-dotdot", "attack", "target '/../../etc/passwd', unknown Host",
    [req("/../../etc/passwd", ATK)], ["misc"])
add("target-pct-host", "legit", "percent-encoded path, served Host",
    [req("/a%20b", WWW)], ["misc"])
add("conn-close-good", "legit", "Connection: close, served Host",
    [req("/", WWW, extra="Connection: close\r\n")], ["misc"])
add("fields-only-crlf", "attack", "request line and an empty field block "
    "(CRLF CRLF) over HTTP/1.1",
    ["GET /#101 HTTP/1.1\r\n\r\n"], ["misc", "nohost"], B46)
add("browser-like-good", "legit", "a Firefox-like request",
    ["GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: text/html,"
     "application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
     "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n"
     "Connection: keep-alive\r\nUpgrade-Insecure-Requests: 1\r\n\r\n"
     % (WWW, UA)], ["baseline"], B46)
add("curl-like-good", "legit", "a curl-like request",
    ["GET / HTTP/1.1\r\nHost: %s\r\nUser-Agent: curl/7.88.1\r\n"
     "Accept: */*\r\n\r\n" % WWW], ["baseline"], B46)

# ------------------------------------------- red team 2: framing, Host bytes
# Forms of a second attacker's read (helper redhttp): bodies the servers
# frame as the parser does (Content-Length with leading zeros or tabs,
# chunk sizes with zeros, spaces, extensions, trailers, bare LF), bodies
# the servers never take for a request (Expect: 100-continue answered
# with an error, GET/HEAD/TRACE with a body), and Host and authority
# bytes that nginx or Apache route to the catch-all.
RB = BADHOST


def framed(method, extra, body, target="/", version="HTTP/1.1"):
    return ("%s %s %s\r\nHost: %s\r\n%s\r\n" % (method, target, version, WWW,
                                                extra)) + body


CLB = "Content-Length: %d\r\n" % len(RB)
EXP = "Expect: 100-continue\r\n"
TE = "Transfer-Encoding: chunked\r\n"
for vid, segs, d in (
        ("fr-get-cl-then-bad", [framed("GET", "Content-Length: 3\r\n", "abc") + RB],
         "GET with a 3-byte body, then the unknown Host"),
        ("fr-cl-lead0", [framed("POST", "Content-Length: 003\r\n", "abc") + RB],
         "Content-Length 003, then the unknown Host"),
        ("fr-cl-zeros", [framed("POST", "Content-Length: %s3\r\n" % ("0" * 21),
                                "abc") + RB],
         "Content-Length of 22 digits (21 zeros), then the unknown Host"),
        ("fr-cl-tab", [framed("POST", "Content-Length:\t3\t\r\n", "abc") + RB],
         "Content-Length between tabs (nginx refuses it), then the unknown Host"),
        ("fr-te-10", [framed("POST", TE, "3\r\nabc\r\n0\r\n\r\n",
                             version="HTTP/1.0") + RB],
         "HTTP/1.0 with a chunked body, then the unknown Host"),
        ("fr-te-gzip-chunked", [framed("POST", "Transfer-Encoding: gzip, chunked\r\n",
                                       "3\r\nabc\r\n0\r\n\r\n") + RB],
         "Transfer-Encoding 'gzip, chunked' (Apache frames it), then the "
         "unknown Host"),
        ("fr-te-upper", [framed("POST", "Transfer-Encoding: CHUNKED\r\n",
                                "3\r\nabc\r\n0\r\n\r\n") + RB],
         "Transfer-Encoding CHUNKED, then the unknown Host"),
        ("fr-chunk-trailer", [framed("POST", TE, "3\r\nabc\r\n0\r\nX-T: y\r\n\r\n")
                              + RB], "a chunk trailer, then the unknown Host"),
        ("fr-chunk-last-ext", [framed("POST", TE, "3;a=b\r\nabc\r\n0;x=y\r\n\r\n")
                               + RB],
         "extensions on the data and the last chunk, then the unknown Host"),
        ("fr-chunk-quoted-ext", [framed("POST", TE, '3;a="x;y"\r\nabc\r\n0\r\n\r\n')
                                 + RB],
         "a quoted chunk extension holding ';', then the unknown Host"),
        ("fr-chunk-lf", [framed("POST", TE, "3\nabc\n0\n\n") + RB],
         "chunk lines ended by bare LF (nginx), then the unknown Host"),
        ("fr-chunk-sp", [framed("POST", TE, "3 \r\nabc\r\n0\r\n\r\n") + RB],
         "a SP after the chunk size, then the unknown Host"),
        ("fr-chunk-lead0", [framed("POST", TE, "0003\r\nabc\r\n0000\r\n\r\n") + RB],
         "chunk sizes with leading zeros, then the unknown Host"),
        ("fr-upgrade-then-bad", [seg(framed("GET", "Upgrade: websocket\r\n"
                                            "Connection: Upgrade\r\n", ""),
                                     pause=0.3), RB],
         "Upgrade: websocket the server does not perform, pause, the "
         "unknown Host"),
        ("fr-upgrade-cl-then-bad", [framed("GET", "Upgrade: foo\r\n"
                                           "Content-Length: 2\r\n", "ab") + RB],
         "Upgrade with a 2-byte body, then the unknown Host"),
        ("fr-te-10-seg", [seg(framed("POST", TE, "3\r\nabc\r\n0\r\n\r\n",
                                     version="HTTP/1.0"), pause=0.3), RB],
         "HTTP/1.0 chunked, pause, the unknown Host")):
    add(vid, "attack", d, segs, ["body", "pipelining", "redhttp"], before=1)
for vid, segs, d in (
        ("fr-cl-list", [framed("POST", "Content-Length: 3, 3\r\n", "abc") + RB],
         "Content-Length '3, 3'"),
        ("fr-cl-dup", [framed("POST", "Content-Length: 3\r\nContent-Length: 3\r\n",
                              "abc") + RB], "two equal Content-Length fields"),
        ("fr-cl-sp-mid", [framed("POST", "Content-Length: 3 3\r\n", "abc") + RB],
         "Content-Length '3 3'")):
    add(vid, "attack", d + ", then the unknown Host", segs,
        ["body", "redhttp"])
for vid, segs, d in (
        ("fr-expect-404", [seg(framed("POST", EXP + CLB, "", "/nope"), pause=0.4),
                           RB], "Expect: 100-continue to a missing path, "
                                "pause, a request-like body"),
        ("fr-expect-404-one", [framed("POST", EXP + CLB, RB, "/nope")],
         "Expect: 100-continue to a missing path, a request-like body in "
         "the same segment"),
        ("fr-expect-static", [seg(framed("POST", EXP + CLB, ""), pause=0.4), RB],
         "Expect: 100-continue, POST to a static file, pause, a "
         "request-like body"),
        ("fr-get-body-reqlike", [framed("GET", CLB, RB)],
         "GET whose body is a request"),
        ("fr-head-body-reqlike", [framed("HEAD", CLB, RB)],
         "HEAD whose body is a request")):
    add(vid, "legit", d, segs, ["body", "expect", "redhttp"])
for vid, segs, d in (
        ("fr-expect-get", [seg(framed("GET", EXP + CLB, ""), pause=0.4), RB],
         "GET with Expect: 100-continue and a request-like body"),
        ("fr-expect-10", [seg(framed("POST", EXP + CLB, "", "/nope",
                                     version="HTTP/1.0"), pause=0.4), RB],
         "HTTP/1.0 with Expect and a request-like body"),
        ("fr-trace-body", [framed("TRACE", CLB, RB)],
         "TRACE whose body is a request"),
        ("fr-unknown-method-body", [framed("FOO", CLB, RB)],
         "method FOO whose body is a request"),
        ("fr-propfind-body", [framed("PROPFIND", CLB, RB)],
         "PROPFIND whose body is a request"),
        ("fr-options-star-body", [framed("OPTIONS", CLB, RB, "*")],
         "OPTIONS * whose body is a request")):
    add(vid, "either", d, segs, ["body", "method", "redhttp"])
for vid, h, cls, d in (
        ("fr-host-bslash", WWW + "\\" + ATK, "attack", "a backslash (nginx routes it)"),
        ("fr-host-pct", "www%2eexample.org", "attack", "percent-encoded dots"),
        ("fr-host-port-at", ATK + ":80@" + WWW, "attack", "unknown:80@served"),
        ("fr-host-ip-pad", "192.000.002.001", "attack",
         "the server's own IPv4 with zero-padded octets"),
        ("fr-host-vt", ATK + "\x0b", "attack", "a trailing VT"),
        ("fr-host-ff", "\x0c" + ATK, "attack", "a leading FF"),
        ("fr-host-nul-end", ATK + "\x00", "attack", "a trailing NUL"),
        ("fr-host-del", ATK + "\x7f", "attack", "a trailing DEL"),
        ("fr-host-cr-mid", WWW + "\r" + ATK, "attack", "a bare CR inside"),
        ("fr-host-colon-only", ":80", "attack", "a port and no name"),
        ("fr-host-trail-tab", WWW + "\t", "either", "served, a trailing tab"),
        ("fr-host-lead-tab", "\t" + WWW, "either", "served, a leading tab"),
        ("fr-host-port2", WWW + ":80:80", "either", "served, two ports"),
        ("fr-host-port-lead0", WWW + ":0080", "either", "served, port 0080"),
        ("fr-host-port-sp", WWW + ": 80", "either", "served, SP before the port"),
        ("fr-host-own-port0", SRV4 + ":0", "either", "own IPv4, port 0")):
    add(vid, cls, "Host: " + d, [req("/", h)], ["host", "redhttp"])
for vid, t, host, d in (
        ("fr-abs-empty", "http:///", WWW, "'http:///' (no authority)"),
        ("fr-abs-empty-port", "http://:80/", WWW, "'http://:80/'"),
        ("fr-abs-query", "http://%s?x" % ATK, WWW, "unknown authority, then '?'"),
        ("fr-abs-empty-port-bad", "http://%s:/" % ATK, WWW,
         "unknown authority, empty port"),
        ("fr-abs-https-upper", "HTTPS://%s/" % WWW, ATK,
         "'HTTPS://' served authority, unknown Host (Apache routes by Host)"),
        ("fr-abs-decimal", "http://3221225985/", WWW, "a decimal IPv4 authority"),
        ("fr-abs-port-at", "http://%s:80@%s/" % (WWW, ATK), WWW,
         "served:80@unknown"),
        ("fr-abs-bslash-at", "http://%s\\@%s/" % (WWW, ATK), WWW,
         "served\\@unknown"),
        ("fr-abs-pct", "http://www%2eexample.org/", WWW, "percent-encoded authority"),
        ("fr-abs-zone", "http://[fe80::1%25eth0]/", WWW, "an IPv6 zone id")):
    add(vid, "attack", "absolute-form: " + d, [req(t, host)],
        ["absolute-form", "redhttp"])
for vid, line in (("fr-pri-30", "PRI * HTTP/3.0"), ("fr-pri-21", "PRI * HTTP/2.1")):
    add(vid, "attack", "%r with the unknown Host" % line,
        ["%s\r\nHost: %s\r\n\r\n" % (line, ATK)], ["h2", "redhttp"])
add("fr-pri-host-then-bad", "attack", "PRI * HTTP/2.0 with a Host field, then "
    "the unknown Host", ["PRI * HTTP/2.0\r\nHost: %s\r\n\r\n" % ATK + RB],
    ["h2", "redhttp"])
add("fr-long-line-8k", "attack", "an 8,141-byte target (under Apache's 8,190), "
    "unknown Host", ["GET /" + "a" * 8140 + " HTTP/1.1\r\nHost: %s\r\n\r\n" % ATK],
    ["late-host", "redhttp"])
FILL30 = "".join("X-F%03d: %s\r\n" % (i, "f" * 1000) for i in range(28))
add("fr-head-30k", "attack", "28 KB of fields (under nginx's 32 KB), then "
    "the unknown Host, 1400-byte segments",
    tiny("GET / HTTP/1.1\r\n" + FILL30 + "Host: %s\r\n\r\n" % ATK, 1400),
    ["late-host", "split", "redhttp"])
add("fr-head-30k-good", "legit", "28 KB of fields, then a served Host, "
    "1400-byte segments",
    tiny("GET / HTTP/1.1\r\n" + FILL30 + "Host: %s\r\n\r\n" % WWW, 1400),
    ["late-host", "split", "redhttp"])

# One variant a line, so that a diff shows which variants changed.
head = {"version": 1,
        "about": "HTTP/1.x request forms for floodshield issue 13; bytes are "
                 "Latin-1 code points of each segment's data; written by "
                 "gen_corpus.py (see its docstring for the fields)",
        "setup": ASSUMES}
w = sys.stdout.write
w("{\n")
for k, val in head.items():
    w(" %s: %s,\n" % (json.dumps(k), json.dumps(val, ensure_ascii=True)))
w(' "variants": [\n')
w(",\n".join("  " + json.dumps(v, ensure_ascii=True) for v in out))
w("\n ]\n}\n")
