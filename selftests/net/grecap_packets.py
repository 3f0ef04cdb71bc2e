# SPDX-License-Identifier: GPL-2.0
"""Packet building blocks and pcap files for the grecap selftests.

Standard library only: grecap_pkt.py, grecap_replay.py and grecap_scapy.py
all build on it, and it imports none of them.
"""

import socket
import struct


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ipv4(src, dst, proto, payload, ident=1, options=b""):
    hl = 20 + len(options)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                      ident, 0, 64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst)) + options
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def payload_for(i, size):
    base = b"grecap-selftest %06d " % i
    return (base * (size // len(base) + 1))[:size]


def pcap_write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for fr in frames:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)


def pcap_read(path, stamps=False):
    frames = []
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return frames
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = struct.unpack(e + "I", data[:4])[0] == 0xA1B23C4D
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        if stamps == "ns":
            frames.append(sec * 10**9 + (frac if nano else frac * 1000))
        else:
            frames.append((sec, frac) if stamps else
                          data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames
