#!/usr/bin/env bash
# End-to-end replay benchmark: generates (once, cached in /tmp/colo-bench by default) an identical
# bulk-TCP pcap pair of 1,000,000 frames per side and replays it through ReplayEngine.
#   bench/run-replay-bench.sh [--frames N] [--connections N] [--dir DIR] [--runs N]
#                             [--wait SLEEPING|YIELDING|BLOCKING] [--mode ENGINE|DIRECT|READ]
# Extra JVM options (e.g. for JFR) go in BENCH_JAVA_OPTS; they come after -Xmx256m, so they can override it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
# shellcheck source=bench/build-if-needed.sh
. "$here/build-if-needed.sh"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java -Xmx256m ${BENCH_JAVA_OPTS:-} -cp bench/target/benchmarks.jar dev.colo.bench.ReplayBench "$@"
