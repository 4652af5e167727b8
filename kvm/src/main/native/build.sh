#!/usr/bin/env bash
# Builds the vCPU kick shim into OUTDIR (JNA finds linux-x86-64/libcolokick.so on the classpath).
set -euo pipefail
out=${1:?usage: build.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
if [ ! "$out/libcolokick.so" -nt "$here/vcpu_kick.c" ]; then
  gcc -O2 -Wall -Wextra -Werror -shared -fPIC -o "$out/libcolokick.so" "$here/vcpu_kick.c"
fi
