#!/usr/bin/env python3
"""An independent peer in QEMU's socket frame format, for interop tests of dev.colo.proxy.link.

Written from QEMU's net_fill_rstate / filter_send: [u32 BE length][u32 BE vnet_hdr_len if vnet][length bytes],
where with vnet the bytes start with a virtio-net header of vnet_hdr_len bytes and the length counts it.

Usage: link-qemu-peer.py HOST PORT VNET(0|1) EXPECTED_REPLY_VNET_LEN COUNT SEED MAX_FRAME
Sends COUNT frames (random sizes, random split points, windows of several frames), expects each one echoed
back in the same format (with vnet: our peer's own header length and a zeroed header). Exit 0 when all match.
"""
import random
import socket
import struct
import sys


def recv_exact(sock, n):
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 1 << 16))
        if not chunk:
            raise EOFError("peer closed with %d bytes still expected" % n)
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def encode(frame, vnet, hdr):
    payload = hdr + frame
    out = struct.pack(">I", len(payload))
    if vnet:
        out += struct.pack(">I", len(hdr))
    return out + payload


def read_message(sock, vnet):
    (length,) = struct.unpack(">I", recv_exact(sock, 4))
    hdr_len = 0
    if vnet:
        (hdr_len,) = struct.unpack(">I", recv_exact(sock, 4))
    data = recv_exact(sock, length)
    return hdr_len, data


def main():
    host, port, vnet, reply_hdr_len, count, seed, max_frame = sys.argv[1:8]
    port, vnet, reply_hdr_len, count, max_frame = int(port), vnet == "1", int(reply_hdr_len), int(count), int(max_frame)
    rnd = random.Random(int(seed))
    sock = socket.create_connection((host, port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sent = 0
    while sent < count:
        window = []
        for _ in range(min(rnd.randint(1, 16), count - sent)):
            hdr_len = rnd.choice((10, 12)) if vnet else 0
            # QEMU's largest: the whole message (header included) is NET_BUFSIZE, both ways (the echo has our header).
            size = max_frame - max(hdr_len, reply_hdr_len) if (sent + len(window)) % 97 == 0 else rnd.randint(14, 9000)
            frame = rnd.randbytes(size)
            hdr = rnd.randbytes(hdr_len)  # not zero: the receiver must strip it whatever it holds
            window.append(frame)
            data = encode(frame, vnet, hdr)
            # Random split points: the receiver must reassemble frames cut anywhere, even inside the header.
            pos = 0
            while pos < len(data):
                step = rnd.choice((1, 3, 7, 100, 1500, 65536))
                sock.sendall(data[pos:pos + step])
                pos += step
        for i, frame in enumerate(window):
            hdr_len, data = read_message(sock, vnet)
            n = sent + i
            if vnet:
                if hdr_len != reply_hdr_len:
                    fail("frame %d: vnet_hdr_len %d, expected %d" % (n, hdr_len, reply_hdr_len))
                if data[:hdr_len] != bytes(hdr_len):
                    fail("frame %d: vnet header not zeroed: %s" % (n, data[:hdr_len].hex()))
            body = data[hdr_len:]
            if body != frame:
                fail("frame %d: %d bytes back, expected %d; first difference at %s" % (
                    n, len(body), len(frame), next((k for k in range(min(len(body), len(frame))) if body[k] != frame[k]), "end")))
        sent += len(window)
    sock.close()
    print("ok: %d frames echoed byte-exact (vnet %s)" % (sent, "on" if vnet else "off"))


def fail(message):
    print("MISMATCH: " + message)
    sys.exit(1)


if __name__ == "__main__":
    main()
