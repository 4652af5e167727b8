#!/usr/bin/env bash
# `colo compare` against QEMU's colo-compare object on the same full-rate feed (CompareFeeder over
# loopback), per frame size: frames/s, comparator CPU per frame, frames released, missing/duplicates.
#   bench/run-compare-vs-qemu.sh [--frames N] [--sizes 1514,118] [--only both|ours|qemu] [--help for all]
# Needs qemu-system-x86_64 (Debian: qemu-system-x86) for the QEMU runs, and cli/target/colo.jar (built
# with the benchmarks jar). Extra JVM options for the feeder go in BENCH_JAVA_OPTS; the comparator's
# JVM takes --java-opts.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"
# shellcheck source=bench/build-if-needed.sh
. "$here/build-if-needed.sh"
# shellcheck disable=SC2086 # BENCH_JAVA_OPTS is a list of options
exec java -Xmx1g ${BENCH_JAVA_OPTS:-} -cp bench/target/benchmarks.jar dev.colo.bench.CompareVsQemuBench "$@"
