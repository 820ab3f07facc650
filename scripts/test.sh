#!/bin/sh
# Install what is missing, build, and run the whole test suite (as root).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
exec make test
