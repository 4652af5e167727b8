#!/usr/bin/env bash
# End-to-end failover bench (issue 17): the primary killed, frozen and cut, with the witness and with
# `always`, N runs each, on a fresh namespace lab per run (each node in its own host namespace); prints one
# line per run and a table (sessions survived, single releaser, reply gap, ping gap, new connection,
# detection, promotion: p50 / max). As root; needs ip, ethtool, tcpdump, ping and socat.
#   bench/run-failover-bench.sh [--runs N] [--faults killed,frozen,cut] [--arbiters witness,always] [--log-dir DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
# shellcheck source=bench/build-if-needed.sh
. "$here/build-if-needed.sh"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java -Xmx256m ${BENCH_JAVA_OPTS:-} -cp bench/target/benchmarks.jar dev.colo.bench.FailoverBench "$@"
