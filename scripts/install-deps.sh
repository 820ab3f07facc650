#!/bin/sh
# Install the Debian packages that build, tests and demo need.
# Idempotent: a no-op (no apt-get at all) when everything is installed.
set -eu

PKGS="make gcc clang llvm libbpf-dev libxdp-dev bpftool xdp-tools libelf-dev
zlib1g-dev libcap-dev pkg-config iproute2 ncat procps python3 libinih-dev
libmicrohttpd-dev prometheus libunbound-dev unbound bind9-dnsutils nginx"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
