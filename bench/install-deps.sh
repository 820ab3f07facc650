#!/bin/sh
# The packages the benchmarks need on top of the build's: nginx (end to
# end), iptables (the string-match baseline), curl (nginx's stub_status),
# gnuplot-nox (the plot), postfix and unbound (the SMTP flood). One list,
# in scripts/install-deps.sh.
exec "$(dirname "$0")/../scripts/install-deps.sh" --bench
