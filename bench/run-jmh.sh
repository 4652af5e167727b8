#!/usr/bin/env bash
# JMH micro-benchmarks (ComparatorBenchmark, DecoderBenchmark). Any JMH arguments pass through, e.g.
#   bench/run-jmh.sh                         # everything (a few minutes on 2 cores)
#   bench/run-jmh.sh ComparatorBenchmark     # one class (a regex)
#   bench/run-jmh.sh -l                      # list the benchmarks;  -h for JMH's options
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
# shellcheck source=bench/build-if-needed.sh
. "$here/build-if-needed.sh"
exec java -jar bench/target/benchmarks.jar "$@"
