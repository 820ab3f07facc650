#!/usr/bin/python3
"""Requests that make GRO frames of tens of KB on a generic-mode shield:
each connection sends a POST with a body of about 300 KB, a GET for
HOST, and another POST of 200 KB, in one send(), so the GET sits deep in
a frame of up to 64 KB (tests/ns/72_stream.sh, gro).

  gro_client.py SRC DST HOST TAG N

N connections from SRC; the GETs' targets are /?TAG=K. Prints one line
per connection: K and the statuses it read. Bounded: 3 s per
connection's read."""
import socket
import sys

src, dst, host, tag, n = sys.argv[1:6]
for k in range(int(n)):
    # 2,100 bytes more each time: the GET falls at another offset of
    # its frame, past the first 16 KB in most
    body = "b" * (300000 + k * 2100)
    reqs = ("POST /?%s=post%d HTTP/1.1\r\nHost: www.example.org\r\n"
            "Content-Length: %d\r\n\r\n%s" % (tag, k, len(body), body))
    reqs += "GET /?%s=%d HTTP/1.1\r\nHost: %s\r\n\r\n" % (tag, k, host)
    reqs += ("POST /?%s=tail%d HTTP/1.1\r\nHost: www.example.org\r\n"
             "Content-Length: 200000\r\nConnection: close\r\n\r\n%s"
             % (tag, k, "t" * 200000))
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(3)
    got = b""
    try:
        s.connect((dst, 80))
        s.sendall(reqs.encode())
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    except OSError as e:
        got += (" (%s)" % e).encode()
    s.close()
    print(k, [l.decode() for l in got.split(b"\r\n") if l.startswith(b"HTTP/")])
