# SPDX-License-Identifier: GPL-2.0
"""Packet building blocks and pcap files for the grecap selftests.

Standard library only: grecap_pkt.py, grecap_replay.py and grecap_scapy.py
all build on it, and it imports none of them.  Where a builder stands in for
a scapy layer the tests once used, its defaults are that layer's (TTL and hop
limit 64, IPv4 ID 1, UDP checksum set, fields masked to their widths), so the
frames are the ones the tests' expectations were made against.
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


SRC_MAC = mac("02:00:00:00:00:01")
DST_MAC = mac("02:00:00:00:00:02")
MF = 0x2000         # IPv4 flags: more fragments


def ipv4(src, dst, proto, payload, ident=1, options=b"", frag=0):
    """frag: the flags and fragment offset word (MF | offset / 8)."""
    hl = 20 + len(options)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, hl + len(payload),
                      ident, frag, 64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst)) + options
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:] + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       socket.inet_pton(socket.AF_INET6, src),
                       socket.inet_pton(socket.AF_INET6, dst)) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def udp4(src, dst, sport, dport, payload):
    """UDP with its checksum, for IPv4 from src to dst (0 sent as 0xFFFF,
    RFC 768)."""
    seg = udp(sport, dport, payload)
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, 17, len(seg))
    return seg[:6] + struct.pack("!H", csum(ph + seg) or 0xFFFF) + seg[8:]


def inner_frame(i, size, vlan=None, flows=None):
    """Frame i of the hand-built streams: Ethernet [802.1Q VLAN] IPv4 (ID
    i) UDP to port 9 with size payload bytes, from port 4000 + i (with
    flows, 4000 + i % flows)."""
    tag = b"" if vlan is None else \
        struct.pack("!HH", 0x8100, vlan & 0xFFF)
    sport = 4000 + (i % flows if flows else i)
    return DST_MAC + SRC_MAC + tag + b"\x08\x00" + \
        ipv4("10.9.0.1", "10.9.0.2", 17,
             udp4("10.9.0.1", "10.9.0.2", sport, 9, payload_for(i, size)), i)


def gre(proto, key=None, seq=None):
    """A GRE header (RFC 2890): the K and S flags for what is given."""
    flags, opts = 0, b""
    if key is not None:
        flags |= 0x2000
        opts += struct.pack("!I", key)
    if seq is not None:
        flags |= 0x1000
        opts += struct.pack("!I", seq)
    return struct.pack("!HH", flags, proto) + opts


def bits(*fields):
    """(value, width) pairs packed most significant first, each value cut
    to its width."""
    v = n = 0
    for value, width in fields:
        v = v << width | value & ((1 << width) - 1)
        n += width
    return v.to_bytes(n // 8, "big")


# ERSPAN Type II (after GRE 0x88BE with a sequence number) and Type III
# (after GRE 0x22EB, with the platform subheader when O is set), as
# draft-foschiano-erspan lays them out:
#
#  0                   1                   2                   3
#  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
# +-------+-----------------------+-----+---+-+-------------------+
# |  Ver  |          VLAN         | COS | En|T|     Session ID    |  II
# +-------+---------------+-------+-----+---+-+-------------------+
# |        Reserved       |                 Index                 |
# +-----------------------+---------------------------------------+
#
# +-------+-----------------------+-----+---+-+-------------------+
# |  Ver  |          VLAN         | COS |BSO|T|     Session ID    |  III
# +-------+-----------------------+-----+---+-+-------------------+
# |                           Timestamp                           |
# +-------------------------------+-+---------+-----------+-+---+-+
# |              SGT              |P|    FT   |   HW ID   |D|Gra|O|
# +-----------+-------------------+-+---------+-----------+-+---+-+
# |  Platf ID |              Platform specific info 1             |
# +-----------+---------------------------------------------------+
# |                    Platform specific info 2                   |
# +---------------------------------------------------------------+

def erspan2(ver, vlan, cos, en, t, session, index):
    return bits((ver, 4), (vlan, 12), (cos, 3), (en, 2), (t, 1),
                (session, 10), (0, 12), (index, 20))


def erspan3(ver, vlan, cos, bso, t, session, timestamp, ft=0, gra=0, o=0):
    """SGT, P, HW ID and D zero."""
    return bits((ver, 4), (vlan, 12), (cos, 3), (bso, 2), (t, 1),
                (session, 10)) + struct.pack("!IH", timestamp, 0) + \
        bits((0, 1), (ft, 5), (0, 6), (0, 1), (gra, 2), (o, 1))


def erspan_platform(pid, info1, info2):
    return bits((pid, 6), (info1, 26)) + struct.pack("!I", info2)


# Outer fragments cut as scapy's fragment() and fragment6() cut them, the
# ones the frag test was written with: (offset in 8-byte units, more
# fragments, bytes) each.

def cut4(payload, size):
    """An IPv4 payload in pieces of at most size bytes, all but the last
    a multiple of 8 (scapy's fragment(), its arithmetic and all)."""
    step = size - size % 8
    n = (len(payload) - size + step - 1) // step + 1
    return [(i * step // 8, int(i != n - 1),
             payload[i * step:(i + 1) * step if i != n - 1 else
                     i * step + size]) for i in range(n)]


def cut6(payload, mtu):
    """An IPv6 payload (what follows a fragment header) in pieces for
    IPv6 packets of at most mtu bytes with a fragment header each (scapy's
    fragment6(): one piece when it fits or the MTU leaves no room, none
    when even that would be too long for IPv6)."""
    if 8 + len(payload) > 65535:
        return []
    last = mtu - 40 - 8
    step = last - last % 8
    if 48 + len(payload) <= mtu or last <= 0 or step == 0:
        return [(0, 0, payload)]
    pieces, off = [], 0
    while len(payload) > last:
        pieces.append((off, 1, payload[:step]))
        payload = payload[step:]
        off += step // 8
    return pieces + [(off, 0, payload)]


def ipv4_fragment(src, dst, proto, ident, piece):
    off, more, data = piece
    return ipv4(src, dst, proto, data, ident,
                frag=(MF if more else 0) | off & 0x1FFF)


def ipv6_fragment(src, dst, nh, ident, piece):
    """IPv6 with a fragment header (RFC 8200) and nothing else."""
    off, more, data = piece
    return ipv6(src, dst, 44, struct.pack("!BBHI", nh, 0,
                                          (off & 0x1FFF) << 3 | more,
                                          ident) + data)


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
