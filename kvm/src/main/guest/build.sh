#!/usr/bin/env bash
# Builds the colo-kvm guest: OUTDIR/colo-guest.elf (with symbols) and OUTDIR/colo-guest.bin, the
# flat image the VMM loads at 0x100000. Needs only gcc and binutils; always rebuilds (it is fast).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)   # absolute: the compiler runs in $src

cflags=(
    -std=gnu11 -O2 -g -Wall -Wextra
    -ffreestanding -nostdlib -static -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-common
    # our memset/memcpy must not be "optimised" into calls to themselves
    -fno-tree-loop-distribute-patterns
    -mcmodel=small
    # reproducible debug info, whatever the caller's working directory
    "-ffile-prefix-map=$src=guest"
)

sources=(start.S lib.c format.c hypercall.c eth.c ipv4.c icmp.c udp.c
         tcp.c tcp_input.c tcp_output.c service.c http.c resp.c kvstore.c fill.c main.c)

tmp=$(mktemp -d "$out/.guest-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

objs=()
for s in "${sources[@]}"; do
    o="$tmp/${s%.*}.o"
    (cd "$src" && gcc "${cflags[@]}" -I "$src" -c "$src/$s" -o "$o")
    objs+=("$o")
done
ld -nostdlib -static --build-id=none -T "$src/guest.ld" -o "$tmp/colo-guest.elf" "${objs[@]}"
objcopy -O binary "$tmp/colo-guest.elf" "$tmp/colo-guest.bin"

# Replace the outputs only once everything succeeded.
mv -f "$tmp/colo-guest.elf" "$out/colo-guest.elf"
mv -f "$tmp/colo-guest.bin" "$out/colo-guest.bin"
