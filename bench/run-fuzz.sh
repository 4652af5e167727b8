#!/usr/bin/env bash
# Coverage-guided fuzzing of every decoder with Jazzer, one target after another, then a table per target:
# executions, coverage (libFuzzer's final cov: edges and ft: features), corpus size and findings.
#   bench/run-fuzz.sh [--seconds N] [TARGET...]     (N per target, default 60; targets by class name, default all)
# Each target runs as  JAZZER_FUZZ=1 mvn -pl <module> test -Dtest=<Target>  with Jazzer's sanitizer hooks on.
# New interesting inputs go to <module>/.cifuzz-corpus/ (not kept); a crash or hang is written by Jazzer into the
# target's corpus, src/test/resources/<package>/<Target>Inputs/<method>/crash-*, where the suite then replays it:
# minimize it, fix the decoder, and add a plain regression test. Logs: bench/target/fuzz/<Target>.log.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cd "$root"

seconds=60
picked=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) picked+=("$1"); shift ;;
    esac
done

# module:Target
targets=(
    pcaps:PcapReaderFuzzTest
    pcaps:PcapngReaderFuzzTest
    compare:FrameDecoderFuzzTest
    proxy:LinkFrameDecoderFuzzTest
    checkpoint:MessageDecoderFuzzTest
    checkpoint:WitnessRequestsFuzzTest
    kvm:StagedStateFuzzTest
    cli:ReplayFuzzTest
)
if [[ ${#picked[@]} -gt 0 ]]; then
    chosen=()
    for t in "${targets[@]}"; do
        for p in "${picked[@]}"; do [[ "${t#*:}" == "$p" ]] && chosen+=("$t"); done
    done
    targets=("${chosen[@]}")
fi

mvn_args=(-B -ntp ${FUZZ_MVN_OPTS:-})
logs=bench/target/fuzz
mkdir -p "$logs"
echo "building the modules under test ..." >&2
mvn "${mvn_args[@]}" -q -pl pcaps,compare,proxy,checkpoint,kvm,cli -am install -DskipTests >&2

rows=()
for t in "${targets[@]}"; do
    module="${t%%:*}"
    target="${t#*:}"
    log="$logs/$target.log"
    crashes_before=$(find "$module/src/test/resources" -path "*${target}Inputs*" -name 'crash-*' 2>/dev/null | wc -l)
    echo "fuzzing $target for $seconds s ..." >&2
    status=passed
    # The libFuzzer flag after @FuzzTest's own -max_total_time wins: jazzer.internal.arg.0 is argv[0].
    JAZZER_FUZZ=1 mvn "${mvn_args[@]}" -pl "$module" test -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.hooks=true -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
        >"$log" 2>&1 || status=FAILED
    # libFuzzer's last status line: "#<runs> DONE|pulse|NEW ... cov: C ft: F corp: N/SIZE ...".
    last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -1 || true)
    runs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9A-Za-z]+).*/\1/p' <<<"$last")
    crashes_after=$(find "$module/src/test/resources" -path "*${target}Inputs*" -name 'crash-*' 2>/dev/null | wc -l)
    found=$((crashes_after - crashes_before))
    finding=$(grep -m1 -E '^== Java Exception|^==[0-9]+== ERROR|FuzzTestFindingException' "$log" || true)
    rows+=("$(printf '%-26s %12s %6s %7s %12s %4s  %s' "$target" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found" "$status ${finding:0:70}")")
done

printf '\n%-26s %12s %6s %7s %12s %4s  %s\n' target executions cov ft corpus new "result"
for r in "${rows[@]}"; do echo "$r"; done
echo "(${seconds} s per target; logs in $logs/)"
