#!/bin/bash
# tests/ns/72_stream.sh against Apache (Debian's configuration, prefork):
# the same hand-made segments, judged by Apache's access log.
HRED_SERVER=apache exec bash "$(dirname "${BASH_SOURCE[0]}")/72_stream.sh"
