#!/usr/bin/env bash
# Regenerates the PVM/SVM capture-pair corpus from real servers running as two
# replicas (same IP, same MAC) in network namespaces.  See README.md.
#
#   sudo pcaps/corpus/regenerate.sh              # all pairs
#   sudo pcaps/corpus/regenerate.sh arp udp-echo # only these pairs
#
# Environment: COLO_CORPUS_OUT (output folder), COLO_HOLD_MIN / COLO_HOLD_MAX (release
# buffer bounds, see relay.py below), COLO_MAX_ATTEMPTS (per pair, default 5; 12 for the
# two-clients pairs),
# COLO_CORPUS_KEEP=1 (keep the temporary work dir for debugging).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${COLO_CORPUS_OUT:-$(cd "$HERE/.." && pwd)/src/main/resources/dev/colo/pcap/corpus}
HOLD_MIN=${COLO_HOLD_MIN:-0.005}   # PVM output is held at least this long (s) ...
HOLD_MAX=${COLO_HOLD_MAX:-0.5}     # ... and until the SVM has produced as much, at most this long
PY=/usr/bin/python3          # Debian's python3 (not a pyenv shim): faketime preloads into it
MAX_ATTEMPTS=${COLO_MAX_ATTEMPTS:-5}
ALL_PAIRS=(http-identical http-date bulk-segmentation udp-echo icmp-echo ipv6-http http-one-byte arp
           ipv6-http-two-clients redis-two-clients)

# Fixed addressing shared by every pair.
CIP4=10.77.0.1  RIP4=10.77.0.2  CIP6=fd77::1  RIP6=fd77::2
CMAC=02:77:00:00:00:01          RMAC=02:77:00:00:00:02
MTIME='2024-05-01 12:00:00 UTC' # Last-Modified of every served file

die() { echo "regenerate.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, tcpdump)"
for t in ip tc tcpdump tshark capinfos curl socat ethtool ping sysctl ss "$PY"; do
  command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (see README.md for the Debian packages)"
done
FAKETIME_LIB=$(find /usr/lib -path "*/faketime/libfaketime.so.1" 2>/dev/null | head -n1 || true)
[ -n "$FAKETIME_LIB" ] || die "missing libfaketime.so.1 (Debian package libfaketime)"

if [ $# -gt 0 ]; then PAIRS=("$@"); else PAIRS=("${ALL_PAIRS[@]}"); fi
for p in "${PAIRS[@]}"; do
  [[ " ${ALL_PAIRS[*]} " == *" $p "* ]] || die "unknown pair '$p' (known: ${ALL_PAIRS[*]})"
  if [ "$p" = redis-two-clients ]; then
    for t in redis-server redis-cli; do
      command -v "$t" >/dev/null 2>&1 || die "missing tool: $t (Debian packages redis-server, redis-tools)"
    done
  fi
done

WORK=$(mktemp -d "/tmp/colo-corpus.$$.XXXXXX")
NSS=()        # namespaces that currently exist
SEQ=0

kill_ns_procs() { # $1 = namespace; ends only the processes living in it (all started by us)
  # SIGINT first: python exits normally then, so libfaketime's destructor removes the
  # /dev/shm segment and semaphore it created
  local pids sig
  for sig in INT TERM KILL; do
    pids=$(ip netns pids "$1" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -s "$sig" $pids 2>/dev/null || true
    local i; for i in 1 2 3 4 5 6 7 8 9 10; do
      [ -n "$(ip netns pids "$1" 2>/dev/null || true)" ] || return 0; sleep 0.1
    done
  done
}
topo_down() {
  local ns
  for ns in "${NSS[@]}"; do kill_ns_procs "$ns"; done
  for ns in "${NSS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  NSS=()
}
cleanup() {
  local rc=$?
  set +e
  topo_down
  if [ -n "${COLO_CORPUS_KEEP:-}" ]; then echo "work dir kept: $WORK" >&2; else rm -rf "$WORK"; fi
  [ $rc -eq 0 ] || echo "regenerate.sh: FAILED (exit $rc); namespaces removed" >&2
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --------------------------------------------------------------------------------------------
# helpers written to the work dir
cat >"$WORK/relay.py" <<'EOF'
"""COLO-style release of the PVM's output (runs in the wire namespace).

Taps the PVM's output on `pvm_if` and the SVM's output on `svm_if` (AF_PACKET sees ingress
frames before tc redirects them to the sink).  A PVM frame is passed on to the client
(`out_if`) once the SVM has produced the same output: for TCP, once the SVM has sent the
flow's sequence space up to the end of the PVM segment (both replicas use the same ISN);
for every other frame, once the SVM has sent as many frames of that kind.  Pure ACKs wait
only MIN s.  Nothing is held longer than MAX s.  Like the real COLO proxy, which holds
PVM output until the SVM's matching output is there, this keeps the client from ACKing
PVM data the SVM has not sent yet (the SVM would discard such an ACK and the two outputs
would then diverge in timing-dependent ways).  PACKET_VNET_HDR keeps GSO/TSO super-frames
and partial checksums intact."""
import socket, select, struct, sys, time, collections, signal, os
ETH_P_ALL, SOL_PACKET, PACKET_VNET_HDR, PACKET_OUTGOING, VNET = 3, 263, 15, 4, 10
pvm_if, svm_if, out_if, dmin, dmax, ready = sys.argv[1:7]
dmin, dmax = float(dmin), float(dmax)

def tap(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 << 20)
    s.bind((ifname, ETH_P_ALL))
    s.setblocking(False)
    return s

def classify(f):
    """-> ('tcp', flow, end-of-sequence-space) | ('ack', None, None) | ('n', kind, None)"""
    b = f[VNET:]
    et = struct.unpack('!H', b[12:14])[0]
    if et == 0x0800:
        ihl = (b[14] & 15) * 4
        plen, proto, l4, addrs = struct.unpack('!H', b[16:18])[0] - ihl, b[23], 14 + ihl, b[26:34]
    elif et == 0x86dd:
        plen, proto, l4, addrs = struct.unpack('!H', b[18:20])[0], b[20], 54, b[22:54]
    else:
        return 'n', et, None
    if proto != 6:
        return 'n', (et, proto), None
    ports, seq = b[l4:l4 + 4], struct.unpack('!I', b[l4 + 4:l4 + 8])[0]
    doff, fl = (b[l4 + 12] >> 4) * 4, b[l4 + 13]
    n = plen - doff + (fl & 1) + ((fl >> 1) & 1)
    if n == 0:
        return 'ack', None, None
    return 'tcp', addrs + ports, (seq + n) & 0xffffffff

def after(a, b):  # serial-number a >= b
    return ((a - b) & 0xffffffff) < 0x80000000

rx_p, rx_s = tap(pvm_if), tap(svm_if)
tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
tx.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
tx.bind((out_if, 0))
q = collections.deque()
svm_seq, svm_cnt, pvm_cnt = {}, collections.Counter(), collections.Counter()
sent = forced = 0
stop = False

def ready_to_go(what, key, val):
    if what == 'tcp':
        return key in svm_seq and after(svm_seq[key], val)
    if what == 'n':
        return svm_cnt[key] >= val
    return True

def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
signal.signal(signal.SIGINT, on_term)
with open(ready, 'w') as fh:
    fh.write(str(os.getpid()))
while not stop:
    now = time.monotonic()
    while q:
        t, need, data = q[0]
        ok = ready_to_go(*need)
        if now < t + dmin or (not ok and now < t + dmax):
            break
        forced += not ok
        tx.send(data)
        q.popleft()
        sent += 1
    timeout = 0.2
    if q:
        t, need, _ = q[0]
        timeout = max(0.0, t + dmin - now) if ready_to_go(*need) else max(0.0, min(t + dmax - now, 0.002))
    try:
        r, _, _ = select.select([rx_p, rx_s], [], [], timeout)
    except InterruptedError:
        continue
    for s in r:
        while True:
            try:
                data, addr = s.recvfrom(70000)
            except BlockingIOError:
                break
            if addr[2] == PACKET_OUTGOING:      # frames the wire sends towards the replica
                continue
            what, key, val = classify(data)
            if s is rx_s:
                if what == 'tcp':
                    if key not in svm_seq or after(val, svm_seq[key]):
                        svm_seq[key] = val
                elif what == 'n':
                    svm_cnt[key] += 1
            else:
                if what == 'n':
                    pvm_cnt[key] += 1
                    val = pvm_cnt[key]
                q.append((time.monotonic(), (what, key, val), data))
sys.stderr.write('relay: %d PVM frames released, %d of them only after the %.3f s timeout\n'
                 % (sent, forced, dmax))
EOF

cat >"$WORK/udpclient.py" <<'EOF'
import socket, sys
host, port, lport, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sizes = [1, 7, 18, 32, 64, 100, 128, 200, 256, 333, 512, 600, 777, 1000, 1024, 1200, 1300, 1400, 1450, 1472]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', lport)); s.settimeout(2)
for i in range(n):
    size = sizes[i % len(sizes)]
    msg = bytes((i * 31 + j * 7) & 0xff for j in range(size))
    msg = (b'colo-udp-%02d:' % i + msg)[:size]
    s.sendto(msg, (host, port))
    data, _ = s.recvfrom(65535)
    if data != msg:
        sys.exit('udp echo %d: bad reply (%d bytes, expected %d)' % (i, len(data), size))
print('udp: %d datagrams echoed' % n)
EOF

cat >"$WORK/mkfiles.py" <<'EOF'
import os, random, sys
root, bulk = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
rnd = random.Random(0xC010)
words = ('colo coarse grain lock stepping primary secondary replica checkpoint proxy compare '
         'packet divergence heartbeat failover buffer release guest kernel network').split()
def text(n, seed):
    r = random.Random(seed); out = []
    while sum(map(len, out)) < n:
        out.append(' '.join(r.choice(words) for _ in range(12)).capitalize() + '.\n')
    return ''.join(out)[:n].encode()
files = {
    'hello.txt': b'Hello from a COLO replica.\n',
    'index.html': b'<!DOCTYPE html>\n<html><head><title>COLO corpus</title></head><body>\n'
                  + text(1100, 1) + b'</body></html>\n',
    'data.json': b'{"items": [' + b', '.join(b'{"id": %d, "name": "item-%04d"}' % (i, i) for i in range(100)) + b']}\n',
    'lorem.txt': text(20000, 2),
    'blob.bin': rnd.randbytes(12288),
}
if bulk:
    files['bulk.bin'] = random.Random(0xB017).randbytes(bulk)
for name, data in files.items():
    with open(os.path.join(root, name), 'wb') as fh:
        fh.write(data)
EOF
cat >"$WORK/analyze.py" <<'EOF'
"""Verify a PVM/SVM capture pair and print expected.properties facts (key=value)."""
import struct, sys, email.utils

def parse(path):
    data = open(path, 'rb').read()
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'): e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'): e = '>'
    else: raise SystemExit('%s: not a classic pcap file' % path)
    linktype = struct.unpack(e + 'I', data[20:24])[0]
    if linktype != 1: raise SystemExit('%s: linktype %d, expected Ethernet' % (path, linktype))
    off, frames = 24, []
    while off + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16]); off += 16
        frames.append(decode(data[off:off + incl], orig)); off += incl
    return frames

def decode(b, orig):
    f = {'len': orig, 'raw': b, 'proto': 'other', 'norm': bytearray(b), 'ipid': None}
    et = struct.unpack('!H', b[12:14])[0]
    if et == 0x0806:
        f['proto'] = 'ARP'; return f
    if et == 0x0800:
        ihl = (b[14] & 15) * 4; tot = struct.unpack('!H', b[16:18])[0]
        f['ipid'] = struct.unpack('!H', b[18:20])[0]
        f['norm'][18:20] = b'\0\0'; f['norm'][24:26] = b'\0\0'   # IPv4 ID + header checksum
        proto = b[23]; l4 = 14 + ihl; end = min(len(b), 14 + tot) if tot else len(b)
        src, dst = b[26:30], b[30:34]
    elif et == 0x86dd:
        f['flow'] = struct.unpack('!I', b[14:18])[0] & 0xfffff
        f['norm'][15] &= 0xf0; f['norm'][16:18] = b'\0\0'                # IPv6 flow label
        proto = b[20]; l4 = 54; plen = struct.unpack('!H', b[18:20])[0]
        end = min(len(b), 54 + plen) if plen else len(b)
        src, dst = b[22:38], b[38:54]
    else:
        return f
    f['src'], f['dst'] = src, dst
    if proto == 6:
        sport, dport, seq, ack, offfl = struct.unpack('!HHIIH', b[l4:l4 + 14])
        doff = (offfl >> 12) * 4
        f.update(proto='TCP', sport=sport, dport=dport, seq=seq, ack=ack, flags=offfl & 0x1ff,
                 payload=bytes(b[l4 + doff:end]), l4=l4)
        tsv = None; i = l4 + 20
        while i < l4 + doff:                       # TCP options: find timestamps, blank them in norm
            k = b[i]
            if k == 0: break
            if k == 1: i += 1; continue
            ln = b[i + 1]
            if k == 8: tsv = struct.unpack('!I', b[i + 2:i + 6])[0]
            i += max(ln, 2)
        f['tsval'] = tsv
        f['norm'][l4 + 20:l4 + doff] = bytes(doff - 20)
    elif proto == 17:
        f.update(proto='UDP', payload=bytes(b[l4 + 8:end]))
    elif proto == 1:
        f.update(proto='ICMP', payload=bytes(b[l4:end]))
    elif proto == 58:
        f.update(proto='ICMPv6', payload=bytes(b[l4:end]))
    return f

def conns(frames):
    """Server->client TCP streams keyed by client (addr, port), in SYN-ACK order."""
    cs = {}
    for f in frames:
        if f['proto'] != 'TCP': continue
        key = (f['dst'], f['dport'])
        if f['flags'] & 0x12 == 0x12:
            # the SYN-ACK acknowledges the client's ISN + 1
            cs.setdefault(key, {'isn': f['seq'], 'cisn': (f['ack'] - 1) & 0xffffffff,
                                'segs': {}, 'frames': 0, 'retrans': 0, 'maxend': 0})
        c = cs.get(key)
        if c is None: continue
        c['frames'] += 1
        if f['payload']:
            rel = (f['seq'] - c['isn'] - 1) & 0xffffffff
            if rel + len(f['payload']) <= c['maxend']: c['retrans'] += 1
            c['maxend'] = max(c['maxend'], rel + len(f['payload']))
            c['segs'][rel] = f['payload']
    for c in cs.values():
        buf = bytearray(c['maxend'])
        for rel, p in c['segs'].items(): buf[rel:rel + len(p)] = p
        c['data'] = bytes(buf)
    return cs

def relative(frames, cs):
    """In norm: seq relative to the server's ISN, ack relative to the client's ISN."""
    for f in frames:
        c = cs.get((f.get('dst'), f.get('dport'))) if f['proto'] == 'TCP' else None
        if c is None: continue
        l4 = f['l4']
        f['norm'][l4 + 4:l4 + 8] = struct.pack('!I', (f['seq'] - c['isn']) & 0xffffffff)
        if f['flags'] & 0x10:
            f['norm'][l4 + 8:l4 + 12] = struct.pack('!I', (f['ack'] - c['cisn']) & 0xffffffff)

def header(data, name):
    head = data.split(b'\r\n\r\n', 1)[0]
    for line in head.split(b'\r\n')[1:]:
        k, _, v = line.partition(b':')
        if k.strip().lower() == name.lower().encode(): return v.strip().decode()
    return None

def main():
    mode, pvm_path, svm_path = sys.argv[1:4]
    extra = dict(a.split('=', 1) for a in sys.argv[4:])
    P, S = parse(pvm_path), parse(svm_path)
    out, errors = {}, []
    def fail(msg): errors.append(msg)
    protos = []
    for name in ('TCP', 'UDP', 'ICMP', 'ICMPv6', 'ARP', 'other'):
        if any(f['proto'] == name for f in P + S): protos.append(name)
    out['protocols'] = ','.join(protos)
    allowed = set(extra.get('protocols', 'TCP').split(','))
    if set(protos) - allowed: fail('unexpected protocols %s (allowed %s)' % (protos, sorted(allowed)))
    out['pvm.frames'], out['svm.frames'] = len(P), len(S)
    if not P or not S: fail('empty capture')
    cp, cs = conns(P), conns(S)
    out['tcp.connections'] = len(cp)
    if list(cp) != list(cs): fail('TCP connections differ: %d vs %d' % (len(cp), len(cs)))
    isn_equal = all(cp[k]['isn'] == cs[k]['isn'] for k in cp if k in cs)
    if cp:
        out['tcp.isn.equal'] = str(isn_equal).lower()
        if not isn_equal and mode != 'twoclients': fail('SYN-ACK ISNs differ')
        out['pvm.tcp.retransmissions'] = sum(c['retrans'] for c in cp.values())
        out['svm.tcp.retransmissions'] = sum(c['retrans'] for c in cs.values())
    ipid_p = [f['ipid'] for f in P if f['ipid'] is not None]
    ipid_s = [f['ipid'] for f in S if f['ipid'] is not None]
    if ipid_p: out['ipv4.id.differs'] = str(ipid_p != ipid_s).lower()
    fl_p = [f['flow'] for f in P if 'flow' in f]
    fl_s = [f['flow'] for f in S if 'flow' in f]
    if fl_p: out['ipv6.flowlabel.differs'] = str(fl_p != fl_s).lower()
    tsv_p = [f.get('tsval') for f in P if f['proto'] == 'TCP']
    tsv_s = [f.get('tsval') for f in S if f['proto'] == 'TCP']
    if any(tsv_p): out['tcp.tsval.differs'] = str(tsv_p != tsv_s).lower()
    out['pvm.maxFrameLen'] = max((f['len'] for f in P), default=0)
    out['svm.maxFrameLen'] = max((f['len'] for f in S), default=0)
    same_shape = [(f['len'], f['proto'], f.get('flags')) for f in P] == [(f['len'], f['proto'], f.get('flags')) for f in S]
    out['frames.byteIdentical'] = str([f['raw'] for f in P] == [f['raw'] for f in S]).lower()
    norm_equal = [bytes(f['norm']) for f in P] == [bytes(f['norm']) for f in S]
    out['frames.identicalIgnoringIpv4IdIpv6FlowLabelTcpOptions'] = str(norm_equal).lower()
    if mode == 'twoclients':
        # each replica had its own client: ISNs differ, so compare seq/ack relative to them
        if not cp: fail('no TCP connection')
        differs = all(cp[k]['cisn'] != cs[k]['cisn'] for k in cp if k in cs)
        lower = all(((cs[k]['cisn'] - cp[k]['cisn']) & 0xffffffff) >= 0x80000000 for k in cp if k in cs)
        out['tcp.clientIsn.differs'] = str(differs).lower()
        out['svm.acks.lowerThanPvm'] = str(lower).lower()
        out['pvm.clientIsns'] = ' '.join('%d:%d' % (k[1], c['cisn']) for k, c in cp.items())
        out['svm.clientIsns'] = ' '.join('%d:%d' % (k[1], c['cisn']) for k, c in cs.items())
        if not differs: fail('the two clients picked the same ISN')
        if not lower: fail('the SVM client ISN is not the lower one on every connection')
        relative(P, cp); relative(S, cs)
        norm_equal = [bytes(f['norm']) for f in P] == [bytes(f['norm']) for f in S]
        out['frames.identicalWithRelativeSeqAck'] = str(norm_equal).lower()
    dates_p = [header(c['data'], 'Date') for c in cp.values()]
    dates_s = [header(c['data'], 'Date') for c in cs.values()]
    http = any(d is not None for d in dates_p)
    if http:
        lm_p = [header(c['data'], 'Last-Modified') for c in cp.values()]
        lm_s = [header(c['data'], 'Last-Modified') for c in cs.values()]
        if lm_p != lm_s: fail('Last-Modified differs: %s vs %s' % (lm_p, lm_s))
        out['http.responses'] = sum(d is not None for d in dates_p)
        out['pvm.http.date'] = ' | '.join(sorted(set(d or '-' for d in dates_p)))
        out['svm.http.date'] = ' | '.join(sorted(set(d or '-' for d in dates_s)))
    if mode in ('identical', 'twoclients'):
        if not norm_equal: fail('frame sequences differ (even ignoring IPv4 ID, IPv6 flow label and TCP options)')
        if http and dates_p != dates_s: fail('Date headers differ (second boundary?)')
    elif mode == 'date':
        if not same_shape: fail('frame shapes differ')
        for k in cp:
            a, b = cp[k]['data'], cs[k]['data']
            da, db = header(a, 'Date'), header(b, 'Date')
            ta = email.utils.parsedate_to_datetime(da); tb = email.utils.parsedate_to_datetime(db)
            if (tb - ta).total_seconds() != 86400: fail('SVM Date not exactly +1 day: %s vs %s' % (da, db))
            if a.replace(da.encode(), b'D') != b.replace(db.encode(), b'D'): fail('payload differs beyond Date')
    elif mode == 'onebyte':
        if not same_shape: fail('frame shapes differ')
        if http and dates_p != dates_s: fail('Date headers differ (second boundary?)')
        diffs = []
        for idx, k in enumerate(cp, 1):
            a, b = cp[k]['data'], cs[k]['data']
            if len(a) != len(b): fail('stream %d length differs' % idx); continue
            diffs += [(idx, i, a[i], b[i], a) for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) != 1: fail('expected exactly one differing payload byte, found %d' % len(diffs))
        else:
            idx, i, pa, sb, a = diffs[0]
            hlen = len(a.split(b'\r\n\r\n', 1)[0]) + 4
            out['diff.connection'] = idx
            out['diff.streamOffset'] = i
            out['diff.httpHeaderLength'] = hlen
            if i - hlen != int(extra['offset']): fail('diff at file offset %d, expected %s' % (i - hlen, extra['offset']))
            if (pa, sb) != (int(extra['pvmbyte'], 16), int(extra['svmbyte'], 16)): fail('diff byte values unexpected')
    elif mode == 'segmentation':
        for k in cp:
            if cp[k]['data'] != cs[k]['data']: fail('payload differs')
        out['payload.bytes'] = sum(len(c['data']) for c in cp.values())
        if len(P) == len(S): fail('segmentation does not differ')
        lim = int(extra.get('mtuframe', '1514'))
        if out['pvm.maxFrameLen'] <= lim: fail('PVM shows no GSO/TSO frame > %d' % lim)
        if out['svm.maxFrameLen'] > lim: fail('SVM frame > %d' % lim)
    if mode in ('identical', 'twoclients', 'date', 'onebyte') and cp:
        for k in cp:
            if len(cp[k]['data']) != len(cs[k]['data']): fail('stream lengths differ')
    for f in P + S:   # replicas answer, they never originate ICMP errors, MLD, ND, ...
        if f['proto'] == 'ICMP' and f['payload'][:1] != b'\x00': fail('unexpected ICMP type %d' % f['payload'][0])
        if f['proto'] == 'ICMPv6' and f['payload'][:1] != b'\x81': fail('unexpected ICMPv6 type %d' % f['payload'][0])
    for k, v in out.items(): print('%s=%s' % (k, v))
    for e in errors: print('ERROR: ' + e, file=sys.stderr)
    sys.exit(2 if errors else 0)

main()
EOF

# --------------------------------------------------------------------------------------------
# topology
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ns_new() { # $1: namespace   $2: IPv6 (1/0)
  local ns=$1 v6=$2
  ip netns add "$ns"; NSS+=("$ns")
  ip -n "$ns" link set lo up
  if [ "$v6" = 1 ]; then
    # no link-local address, no router solicitations, no DAD: only our traffic on the wire
    nsx "$ns" sysctl -qw net.ipv6.conf.default.addr_gen_mode=1 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.dad_transmits=0
  else
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
}
ends_up() { # $1: static neighbour entries (1/0)   $2: IPv6 (1/0)   then "ns dev addr4 addr6 peer4 peer6 peermac"...
  local static=$1 v6=$2 x n dev a4 a6 peer4 peer6 peermac; shift 2
  for x in "$@"; do
    read -r n dev a4 a6 peer4 peer6 peermac <<<"$x"
    nsx "$n" ip addr add "$a4/24" dev "$dev"
    [ "$v6" = 1 ] && nsx "$n" ip addr add "$a6/64" dev "$dev" nodad
    if [ "$static" = 1 ]; then   # ARP/ND never happens (except in the arp pair)
      nsx "$n" ip neigh add "$peer4" lladdr "$peermac" dev "$dev" nud permanent
      [ "$v6" = 1 ] && nsx "$n" ip neigh add "$peer6" lladdr "$peermac" dev "$dev" nud permanent
    fi
    nsx "$n" ip link set "$dev" up
  done
}

topo_up() { # $1: static neighbour entries (1/0)   $2: IPv6 addresses (1/0)
  local static=$1 v6=$2 ns
  SEQ=$((SEQ + 1))
  local b="colo$$-$SEQ"
  C=$b-client P=$b-pvm V=$b-svm W=$b-wire
  for ns in "$C" "$P" "$V"; do ns_new "$ns" "$v6"; done
  ns_new "$W" 0
  for ns in "$P" "$V"; do
    # SYN cookies for every SYN: the ISN is a keyed hash (global secret) of the 4-tuple and a
    # 64 s counter, so both replicas answer the same SYN with the same ISN.
    nsx "$ns" sysctl -qw net.ipv4.tcp_syncookies="${COLO_SYNCOOKIES:-2}"
  done
  ip link add c0 netns "$C" address "$CMAC" type veth peer name cw netns "$W"
  ip link add p0 netns "$P" address "$RMAC" type veth peer name pw netns "$W"
  ip link add s0 netns "$V" address "$RMAC" type veth peer name sw netns "$W"
  ip link add bh netns "$W" type veth peer name bhp netns "$W"   # sink: bhp stays down
  local i; for i in cw pw sw bh; do ip -n "$W" link set "$i" up; done
  local all=(protocol all u32 match u32 0 0)
  for i in cw pw sw; do tc -n "$W" qdisc add dev "$i" ingress; done
  # client frames: a copy to the SVM, the original to the PVM (the COLO mirror)
  tc -n "$W" filter add dev cw parent ffff: "${all[@]}" \
     action mirred egress mirror dev sw action mirred egress redirect dev pw
  # replica output: both sunk here; relay.py (AF_PACKET tap on pw, which sees frames before
  # tc ingress) is what delivers the PVM's copy to the client.  The SVM's output is dropped.
  tc -n "$W" filter add dev pw parent ffff: "${all[@]}" action mirred egress redirect dev bh
  tc -n "$W" filter add dev sw parent ffff: "${all[@]}" action mirred egress redirect dev bh
  ends_up "$static" "$v6" "$C c0 $CIP4 $CIP6 $RIP4 $RIP6 $RMAC" "$P p0 $RIP4 $RIP6 $CIP4 $CIP6 $CMAC" \
    "$V s0 $RIP4 $RIP6 $CIP4 $CIP6 $CMAC"
  rm -f "$WORK/relay.ready"
  nsx "$W" "$PY" "$WORK/relay.py" pw sw cw "$HOLD_MIN" "$HOLD_MAX" "$WORK/relay.ready" 2>>"$WORK/relay.log" &
  for i in $(seq 50); do [ -s "$WORK/relay.ready" ] && break; sleep 0.1; done
  [ -s "$WORK/relay.ready" ] || die "relay did not start: $(cat "$WORK/relay.log")"
  # let link-up side effects (IPv6 MLD reports of the new addresses) pass before capturing
  [ "$v6" = 1 ] && sleep 1.5
  return 0
}

# Two independent clients: each replica has a client of its own on a veth of its own (no
# mirror, no relay).  Both clients use the same addresses and source ports, so a connection
# has the same 4-tuple on both sides, but each client kernel picks its own ISN.
topo_two_clients_up() { # $1: IPv6 addresses (1/0)
  local v6=$1 ns
  SEQ=$((SEQ + 1))
  local b="colo$$-$SEQ"
  C=$b-client C2=$b-client2 P=$b-pvm V=$b-svm W=
  for ns in "$C" "$C2" "$P" "$V"; do ns_new "$ns" "$v6"; done
  ip link add c0 netns "$C" address "$CMAC" type veth peer name p0 netns "$P" address "$RMAC"
  ip link add c0 netns "$C2" address "$CMAC" type veth peer name s0 netns "$V" address "$RMAC"
  ends_up 1 "$v6" "$C c0 $CIP4 $CIP6 $RIP4 $RIP6 $RMAC" "$C2 c0 $CIP4 $CIP6 $RIP4 $RIP6 $RMAC" \
    "$P p0 $RIP4 $RIP6 $CIP4 $CIP6 $CMAC" "$V s0 $RIP4 $RIP6 $CIP4 $CIP6 $CMAC"
  [ "$v6" = 1 ] && sleep 1.5
  return 0
}
# Runs the same client command against both replicas (TWIN_SIDE=svm or pvm in its environment):
# first in the SVM's client, TWIN_LEAD s later in the PVM's.  A client ISN is a keyed hash of
# the 4-tuple (one secret for all namespaces; the 4-tuples are equal here) plus a 64 ns clock,
# so the SVM's client picks the lower ISN and every ACK number in the SVM's output is lower
# than the PVM's: the case the comparator once got wrong.  The analyzer checks it.
TWIN_LEAD=0.05
twin() { # command...
  local s p rc=0
  nsx "$C2" env TWIN_SIDE=svm "$@" & s=$!
  sleep "$TWIN_LEAD"
  nsx "$C" env TWIN_SIDE=pvm "$@" & p=$!
  wait "$s" || rc=$?
  wait "$p" || rc=$?
  [ $rc -eq 0 ] || die "client command failed ($rc): $*"
}

CAP_PIDS=()
cap_start() { # ns dev file
  ip netns exec "$1" tcpdump -i "$2" -Q out --immediate-mode -n -s 0 -B 16384 -Z root -w "$3" 2>"$3.log" &
  CAP_PIDS+=($!)
  local i; for i in $(seq 50); do grep -qs 'listening on' "$3.log" && return 0; sleep 0.1; done
  die "tcpdump on $2 did not start: $(cat "$3.log")"
}
cap_stop() { # waits 0.5 s after the last packet, then SIGINT and wait for tcpdump to exit
  sleep 0.5
  kill -INT "${CAP_PIDS[@]}"
  local p; for p in "${CAP_PIDS[@]}"; do wait "$p" || die "tcpdump exited with $?"; done
  CAP_PIDS=()
}
caps() { cap_start "$P" p0 "$1/pvm.pcap"; cap_start "$V" s0 "$1/svm.pcap"; }

http_start() { # ns docroot bind-address [command prefix...]
  local ns=$1 root=$2 addr=$3; shift 3
  # background jobs of a script start with SIGINT ignored; restore it so python exits cleanly
  # on SIGINT (kill_ns_procs) and runs its exit handlers (libfaketime's shm clean-up)
  ip netns exec "$ns" env --default-signal=INT "$@" "$PY" -m http.server -d "$root" -b "$addr" 8000 \
    >>"$WORK/http.log" 2>&1 &
}
warm_up() { # base-url: fetch every file once inside both replicas over their loopback device
  # (never on the captured wire), so one-time costs such as libfaketime's start-up or Python's
  # lazy imports do not make one replica's first answer much later than the other's
  local ns f
  for ns in "$P" "$V"; do
    for f in "${HTTP_FILES[@]}"; do nsx "$ns" curl -sS --fail -g -o /dev/null "$1/$f"; done
  done
}
no_offload() { # deterministic MTU-sized segments on both replicas (the bulk pair differs)
  nsx "$P" ethtool -K p0 tso off gso off >/dev/null
  nsx "$V" ethtool -K s0 tso off gso off >/dev/null
}
wait_listen() { # ns tcp|udp port
  local i opt=-Hltn; [ "$2" = udp ] && opt=-Hlun
  for i in $(seq 50); do
    [ -n "$(ip netns exec "$1" ss $opt "sport = :$3")" ] && return 0; sleep 0.1
  done
  die "nothing listening on $2/$3 in $1"
}
HTTP_FILES=(hello.txt index.html data.json lorem.txt blob.bin)
fetch() { # base-url first-local-port pvm-docroot files...
  local base=$1 port=$2 root=$3 f; shift 3
  mkdir -p "$WORK/got"
  for f in "$@"; do   # one curl per file: one TCP connection each, fixed client port
    nsx "$C" curl -sS --fail -g --max-time 10 --local-port "$port" -o "$WORK/got/$f" "$base/$f"
    cmp -s "$WORK/got/$f" "$root/$f" || die "client received wrong content for $f"
    port=$((port + 1))
  done
}

# --------------------------------------------------------------------------------------------
# the pairs: each writes $1/pvm.pcap and $1/svm.pcap and sets DESC SCEN DIFFER MODE PROTOS EXTRA
ONEBYTE_FILE=lorem.txt ONEBYTE_OFFSET=12345

pair_http_identical() {
  topo_up 1 0
  no_offload
  http_start "$P" "$WORK/www" "$RIP4"; http_start "$V" "$WORK/www" "$RIP4"
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://$RIP4:8000"
  caps "$1"
  fetch "http://$RIP4:8000" 40001 "$WORK/www" "${HTTP_FILES[@]}"
  cap_stop
  DESC="HTTP/1.0 GETs of 5 files from python3 http.server, same content and same Date on both replicas"
  SCEN="replicas: python3 -m http.server -b $RIP4 8000 (same docroot); client: curl --local-port 40001..40005 http://$RIP4:8000/{${HTTP_FILES[*]}} (one connection each)"
  DIFFER=none MODE=identical PROTOS=TCP
}
pair_http_date() {
  topo_up 1 0
  no_offload
  http_start "$P" "$WORK/www" "$RIP4"
  # libfaketime preloaded directly (what `faketime -f +1d` does, minus its wrapper process and
  # the shared-memory segment the wrapper would leave behind when killed).  NO_FAKE_STAT keeps
  # file mtimes (Last-Modified) real.  Do not set DONT_FAKE_MONOTONIC: it made the server
  # answer 100-200 ms late now and then.
  http_start "$V" "$WORK/www" "$RIP4" env LD_PRELOAD="$FAKETIME_LIB" FAKETIME=+1d NO_FAKE_STAT=1
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://$RIP4:8000"
  caps "$1"
  fetch "http://$RIP4:8000" 40001 "$WORK/www" "${HTTP_FILES[@]}"
  cap_stop
  DESC="as http-identical, but the SVM's clock runs one day ahead: only the Date: header differs"
  SCEN="PVM: python3 -m http.server -b $RIP4 8000; SVM: LD_PRELOAD=libfaketime.so.1 FAKETIME=+1d NO_FAKE_STAT=1 python3 -m http.server -b $RIP4 8000 (same docroot, mtimes '$MTIME'); client: curl --local-port 40001..40005 http://$RIP4:8000/{${HTTP_FILES[*]}}"
  DIFFER=date-header MODE=date PROTOS=TCP
}
pair_bulk_segmentation() {
  topo_up 1 0
  nsx "$P" ethtool -K p0 tso on gso on >/dev/null
  nsx "$V" ethtool -K s0 tso off gso off >/dev/null
  http_start "$P" "$WORK/www" "$RIP4"; http_start "$V" "$WORK/www" "$RIP4"
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://$RIP4:8000"
  caps "$1"
  fetch "http://$RIP4:8000" 40101 "$WORK/www" bulk.bin
  cap_stop
  DESC="bulk HTTP download ($BULK_BYTES bytes): PVM with TSO/GSO (super-frames up to 64 KiB), SVM with TSO/GSO off (MTU frames); identical payload bytes"
  SCEN="PVM: ethtool -K p0 tso on gso on; SVM: ethtool -K s0 tso off gso off; both: python3 -m http.server -b $RIP4 8000; client: curl --local-port 40101 http://$RIP4:8000/bulk.bin"
  DIFFER=segmentation MODE=segmentation PROTOS=TCP
}
pair_udp_echo() {
  topo_up 1 0
  no_offload
  local ns
  for ns in "$P" "$V"; do
    nsx "$ns" socat -T 2 "UDP4-RECVFROM:7,bind=$RIP4,fork" PIPE >>"$WORK/socat.log" 2>&1 &
  done
  wait_listen "$P" udp 7; wait_listen "$V" udp 7
  caps "$1"
  nsx "$C" "$PY" "$WORK/udpclient.py" "$RIP4" 7 40007 20 >/dev/null
  cap_stop
  DESC="UDP echo (socat) of 20 datagrams of 1..1472 bytes"
  SCEN="replicas: socat -T 2 UDP4-RECVFROM:7,bind=$RIP4,fork PIPE; client: python3 sends 20 datagrams (sizes 1..1472) from port 40007, waits for each echo"
  DIFFER=none MODE=identical PROTOS=UDP
}
pair_icmp_echo() {
  topo_up 1 0
  no_offload
  caps "$1"
  nsx "$C" ping -n -q -c 10 -i 0.1 -W 2 "$RIP4" >/dev/null
  cap_stop
  DESC="ICMP echo: 10 pings from the client, both replicas reply identically"
  SCEN="client: ping -c 10 -i 0.1 $RIP4"
  DIFFER=none MODE=identical PROTOS=ICMP
}
pair_ipv6_http() {
  topo_up 1 1
  no_offload
  http_start "$P" "$WORK/www" "$RIP6"; http_start "$V" "$WORK/www" "$RIP6"
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://[$RIP6]:8000"
  caps "$1"
  fetch "http://[$RIP6]:8000" 41001 "$WORK/www" "${HTTP_FILES[@]}"
  nsx "$C" ping -6 -n -q -c 5 -i 0.1 -W 2 "$RIP6" >/dev/null
  cap_stop
  DESC="http-identical over IPv6 plus 5 ICMPv6 echo requests"
  SCEN="replicas: python3 -m http.server -b $RIP6 8000; client: curl -g --local-port 41001..41005 'http://[$RIP6]:8000/{${HTTP_FILES[*]}}'; ping -6 -c 5 -i 0.1 $RIP6"
  DIFFER=none MODE=identical PROTOS=TCP,ICMPv6
}
pair_http_one_byte() {
  topo_up 1 0
  no_offload
  http_start "$P" "$WORK/www" "$RIP4"; http_start "$V" "$WORK/www-onebyte" "$RIP4"
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://$RIP4:8000"
  caps "$1"
  fetch "http://$RIP4:8000" 40001 "$WORK/www" "${HTTP_FILES[@]}"
  cap_stop
  DESC="as http-identical, but $ONEBYTE_FILE differs by one byte (offset $ONEBYTE_OFFSET) between the PVM and SVM docroots"
  SCEN="replicas: python3 -m http.server -b $RIP4 8000, docroots equal except one byte of $ONEBYTE_FILE; client: curl --local-port 40001..40005 http://$RIP4:8000/{${HTTP_FILES[*]}}"
  DIFFER=payload-byte MODE=onebyte PROTOS=TCP
  EXTRA=("offset=$ONEBYTE_OFFSET" "pvmbyte=$ONEBYTE_PVM" "svmbyte=$ONEBYTE_SVM")
}
pair_ipv6_http_two_clients() {
  topo_two_clients_up 1
  no_offload
  http_start "$P" "$WORK/www" "$RIP6"; http_start "$V" "$WORK/www" "$RIP6"
  wait_listen "$P" tcp 8000; wait_listen "$V" tcp 8000
  warm_up "http://[$RIP6]:8000"
  caps "$1"
  local port=42001 f side
  mkdir -p "$WORK/got"
  for f in "${HTTP_FILES[@]}"; do   # one connection per file, the same client port on both sides
    twin sh -c 'exec curl -sS --fail -g --max-time 10 --local-port "$1" -o "$2.$TWIN_SIDE" "$3"' \
      curl "$port" "$WORK/got/$f" "http://[$RIP6]:8000/$f"
    port=$((port + 1))
  done
  cap_stop
  for f in "${HTTP_FILES[@]}"; do
    for side in pvm svm; do
      cmp -s "$WORK/got/$f.$side" "$WORK/www/$f" || die "the $side's client received wrong content for $f"
    done
  done
  DESC="ipv6-http's five GETs made by two independent clients, one per replica (same addresses and ports, each its own ISN; the SVM's client ISNs are the lower ones)"
  SCEN="replicas: python3 -m http.server -b $RIP6 8000, each with a client of its own on its own veth; each client: curl -g --local-port 42001..42005 'http://[$RIP6]:8000/{${HTTP_FILES[*]}}' (one connection each), the SVM's client ${TWIN_LEAD} s ahead of the PVM's"
  DIFFER=none MODE=twoclients PROTOS=TCP
}
# One redis-cli command per connection: given a command, redis-cli 7.0 sends just that command
# (its interactive mode would first send COMMAND DOCS, whose reply order is random per server).
REDIS_SESSIONS=(
  "PING"
  "SET greeting 'hello from a COLO replica'"
  "-r 3 INCR visits"
  "RPUSH queue a b c d e"
  "LRANGE queue 0 -1"
  "HSET user:1 name colo role replica"
  "HGETALL user:1"
  "SET blob \$(cat \"\$WORK/blob\")"
  "GET blob"
  "STRLEN blob"
)
pair_redis_two_clients() {
  topo_two_clients_up 0
  no_offload
  local ns
  for ns in "$P" "$V"; do
    mkdir -p "$WORK/redis-$ns"
    nsx "$ns" redis-server --bind "$RIP4" --port 6379 --save '' --appendonly no --protected-mode no \
      --dir "$WORK/redis-$ns" --logfile '' >>"$WORK/redis.log" 2>&1 &
  done
  wait_listen "$P" tcp 6379; wait_listen "$V" tcp 6379
  # a 4000-byte value, so that its GET reply spans several segments
  "$PY" -c 'print("".join("colo%04d," % i for i in range(500))[:4000], end="")' >"$WORK/blob"
  caps "$1"
  local port=40201 session
  for session in "${REDIS_SESSIONS[@]}"; do
    # socat gives redis-cli's connection a fixed source port (redis-cli cannot bind one)
    twin env WORK="$WORK" RIP4="$RIP4" PORT="$port" sh -c 'socat TCP4-LISTEN:6379,bind=127.0.0.1,reuseaddr "TCP4:$RIP4:6379,sourceport=$PORT" & s=$!
      for i in $(seq 100); do [ -n "$(ss -Hltn "sport = :6379")" ] && break; sleep 0.01; done
      eval "redis-cli -h 127.0.0.1 -p 6379 $1" >"$WORK/redis.$PORT.$TWIN_SIDE"; rc=$?
      wait $s; exit $rc' redis "$session"
    cmp -s "$WORK/redis.$port.pvm" "$WORK/redis.$port.svm" || die "the two clients got different redis replies to: $session"
    port=$((port + 1))
  done
  cap_stop
  [ "$(cat "$WORK/redis.$((port - 1)).pvm")" = 4000 ] || die "STRLEN blob is not 4000: $(cat "$WORK/redis.$((port - 1)).pvm")"
  DESC="redis-server answering ${#REDIS_SESSIONS[@]} redis-cli commands (one connection each) from two independent clients, one per replica (same addresses and ports, each its own ISN; the SVM's client ISNs are the lower ones)"
  SCEN="replicas: redis-server --bind $RIP4 --port 6379 --save '' --appendonly no, each with a client of its own on its own veth; each client: redis-cli through socat for the fixed source ports 40201..$((port - 1)): PING; SET greeting; -r 3 INCR visits; RPUSH queue; LRANGE queue; HSET user:1; HGETALL user:1; SET blob (4000 bytes); GET blob; STRLEN blob, the SVM's client ${TWIN_LEAD} s ahead of the PVM's"
  DIFFER=none MODE=twoclients PROTOS=TCP
}
pair_arp() {
  topo_up 0 0
  no_offload
  caps "$1"
  nsx "$C" ping -n -q -c 1 -W 2 "$RIP4" >/dev/null
  cap_stop
  DESC="ARP resolution (no static neighbour entries): both replicas answer the client's ARP request, then one ICMP echo"
  SCEN="no static neighbour entries; client: ping -c 1 $RIP4"
  DIFFER=none MODE=identical PROTOS=ARP,ICMP
}

# --------------------------------------------------------------------------------------------
frames() { tshark -r "$1" 2>/dev/null | wc -l; }
fact() { sed -n "s/^$1=//p" "$FACTS"; }

run_pair() {
  local name=$1 dir="$WORK/out/$1" attempt rc f max=$MAX_ATTEMPTS
  # independent clients race with their servers' FIN (does it acknowledge the client's FIN?),
  # so about half the attempts differ there and are rejected
  [[ $name == *-two-clients && -z ${COLO_MAX_ATTEMPTS:-} ]] && max=12
  for attempt in $(seq "$max"); do
    rm -rf "$dir"; mkdir -p "$dir"
    EXTRA=()
    log "$name: capturing (attempt $attempt)"
    "pair_${name//-/_}" "$dir"
    topo_down
    for f in "$dir/pvm.pcap.log" "$dir/svm.pcap.log"; do
      grep -qx '0 packets dropped by kernel' "$f" || die "$name: tcpdump dropped packets: $(cat "$f")"
    done
    rc=0
    "$PY" "$WORK/analyze.py" "$MODE" "$dir/pvm.pcap" "$dir/svm.pcap" "protocols=$PROTOS" ${EXTRA[@]+"${EXTRA[@]}"} \
      >"$dir/facts" 2>"$dir/errors" || rc=$?
    if [ $rc -eq 0 ]; then break; fi
    [ $rc -eq 2 ] || die "$name: analyzer failed: $(cat "$dir/errors")"
    log "$name: attempt $attempt rejected: $(tr '\n' ' ' <"$dir/errors")"
    [ "$attempt" -lt "$max" ] || die "$name: no acceptable capture after $max attempts"
  done
  local pf sf
  pf=$(frames "$dir/pvm.pcap"); sf=$(frames "$dir/svm.pcap")
  FACTS="$dir/facts"
  if [ "$pf" != "$(fact pvm.frames)" ] || [ "$sf" != "$(fact svm.frames)" ]; then
    die "$name: tshark and analyzer disagree on frame counts"
  fi
  {
    echo "# Generated by pcaps/corpus/regenerate.sh (kernel $(uname -r)); do not edit the captures by hand."
    echo "description=$DESC"
    echo "scenario=$SCEN"
    echo "replicas.differ=$DIFFER"
    echo "protocols=$(fact protocols)"
    echo "tcp.connections=$(fact tcp.connections)"
    echo "pvm.frames=$pf"
    echo "svm.frames=$sf"
    if [ "$MODE" = onebyte ]; then
      echo "diff.file=$ONEBYTE_FILE"
      echo "diff.fileOffset=$ONEBYTE_OFFSET"
      echo "diff.pvmByte=$ONEBYTE_PVM"
      echo "diff.svmByte=$ONEBYTE_SVM"
    fi
    echo "# measured by the generator's own checks (informative, the lead finalizes expectations):"
    grep -v -e '^protocols=' -e '^tcp.connections=' -e '^pvm.frames=' -e '^svm.frames=' "$dir/facts" \
      | sed 's/^diff\./measured.diff./'
  } >"$dir/expected.properties"
  mkdir -p "$OUT/$name"
  install -m 0644 "$dir/pvm.pcap" "$dir/svm.pcap" "$dir/expected.properties" "$OUT/$name/"
  SUMMARY+=("$(printf '%-18s pvm %6s frames %10s bytes   svm %6s frames %10s bytes' "$name" \
    "$pf" "$(stat -c %s "$dir/pvm.pcap")" "$sf" "$(stat -c %s "$dir/svm.pcap")")")
}

# --------------------------------------------------------------------------------------------
BULK_BYTES=$((4 * 1024 * 1024))
"$PY" "$WORK/mkfiles.py" "$WORK/www" "$BULK_BYTES"
cp -a "$WORK/www" "$WORK/www-onebyte"
ONEBYTE_PVM=$(od -An -tx1 -j "$ONEBYTE_OFFSET" -N1 "$WORK/www/$ONEBYTE_FILE" | tr -d ' \n')
ONEBYTE_SVM=$(printf '%02x' $((0x$ONEBYTE_PVM ^ 0x01)))
printf '%b' "\\x$ONEBYTE_SVM" | dd of="$WORK/www-onebyte/$ONEBYTE_FILE" bs=1 seek="$ONEBYTE_OFFSET" conv=notrunc status=none
find "$WORK/www" "$WORK/www-onebyte" -type f -exec touch -d "$MTIME" {} +
chmod -R a+rX "$WORK"

SUMMARY=()
START=$SECONDS
for p in "${PAIRS[@]}"; do run_pair "$p"; done
echo
echo "corpus: $OUT   ($((SECONDS - START)) s)"
printf '%s\n' "${SUMMARY[@]}"
du -sh "$OUT" | awk '{print "total size: " $1}'
