#!/bin/sh
# Install the Debian packages the benchmarks need on top of
# scripts/install-deps.sh's: nginx (end to end), iptables (the string
# match baseline), curl (nginx's stub_status), gnuplot-nox (the plot).
# Idempotent: a no-op (no apt-get at all) when everything is installed.
set -eu

PKGS="nginx iptables curl gnuplot-nox"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "bench/install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "bench/install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
