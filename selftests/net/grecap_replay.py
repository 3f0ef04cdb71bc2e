# SPDX-License-Identifier: GPL-2.0
"""Replay real mirror captures into a grecap device and check it.

  replay FILE --link DEV --dst-mac M --dev GRECAP --index N --dst4 A --dst6 B
         [--encap gre|vxlan|geneve|tzsp] [--port P] [--inner-vxlan]
         [--udp-csum-zero] [--udp6-csum-zero] [--cut-by-source]
         [--make-on NETNS:LINK]

FILE is a pcap or pcapng capture of Ethernet frames or of bare IP packets
(LINKTYPE_RAW), read where it lies (../shared/traces beside the project).
Of each frame, its outer IPv4 or IPv6 packet is sent through DEV (the veth
toward the collector) when it carries GRE (protocol 47) or UDP (17),
fragments included, with a new untagged Ethernet header to M (any 802.1Q
tags of the capture dropped: grecap takes untagged traffic only), the
outer destination rewritten to A or B and each outer source to an address
of its own (198.18.N.x, 2001:db8:ff:N::x).  The IPv4 header checksum and
a UDP checksum, whose pseudo-header holds the addresses, are adjusted for
the new addresses (RFC 1624), not recomputed: a checksum that was wrong in
the capture stays wrong by as much, and an absent UDP checksum (0) stays
absent.  --udp-csum-zero sends IPv4 UDP without its checksum (0, as RFC
768 allows), --udp6-csum-zero IPv6 UDP as well (RFC 6935): captures whose
checksums anonymization broke then reach the decoders.  --cut-by-source:
a frame the capture cut short goes as a source that cuts frames sends it,
its outer IP and UDP lengths of what there is.  Everything from the GRE or
UDP header on is otherwise sent as it was captured.

GRECAP is a fresh catch-all device of the encapsulation --encap (and, for
vxlan, geneve and tzsp, the UDP port --port, by default 4789, 6081 and
37008; --inner-vxlan for a geneve device with innervxlan on), the only
grecap device of its link.  --make-on makes it, on LINK of the network
namespace of file NETNS, in this process's namespace, up, and deletes it
once checked.  What grecap must make of each packet is
computed here from the protocols (RFC 2784/2890 GRE, ERSPAN Types I-III,
WCCP, RFC 7348 VXLAN, RFC 8926 GENEVE, TZSP, RFC 768 UDP, outer
reassembly), independently of the module: the frames it delivers, byte
for byte and in order, read from GRECAP (an AF_PACKET socket, as any
sniffer reads it), and the kind each counts as; what it drops, under which
counter; what it passes and what goes to the stack uncounted; and, per
stream (outer source, GRE key, ERSPAN session), what the sequence numbers
say was lost, reordered, repeated or restarted.  GRECAP must be in this
process's network namespace, its counters at 0 (the link's are read
before and after).  A last packet that the link counts whatever the
device (sentinel()) tells when all has been handled.  Prints a line per
check, exits 1 when one fails.

plan() computes what is sent and the model without sockets, for a look
at the figures on a host without grecap.
"""

import os
import select
import socket
import struct
import time

import grecap_nl as nl
from grecap_packets import csum, ipv4

ETH_P_ALL = 0x0003
SO_RCVBUFFORCE = 33
SOL_PACKET, PACKET_AUXDATA = 263, 8
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 1 << 4, 1 << 6
TEB, ERSPAN, ERSPAN2, WCCP = 0x6558, 0x88BE, 0x22EB, 0x883E
IPV4, IPV6 = 0x0800, 0x86DD
GRE, UDP = 47, 17
# A UDP device's port when none is given (the module's defaults).
UDP_PORTS = {"vxlan": 4789, "geneve": 6081, "tzsp": 37008}
INNER_VXLAN_PORT = 4789         # AWS Gateway Load Balancer's VXLAN
TZSP_TAGS_MAX = 128             # bytes of tagged fields grecap walks
LINKTYPE_ETHERNET = 1
# LINKTYPE_RAW (and DLT_RAW's platform values), LINKTYPE_IPV4, _IPV6.
LINKTYPES_IP = (101, 12, 14, 228, 229)

# What is compared: the device's standard counters (statistics/), then
# its own (grecap_stats/), then the link's (as differences).
STD_COUNTERS = ("rx_packets", "rx_crc_errors", "rx_length_errors")
KINDS = ("rx_eth", "rx_ipv4", "rx_ipv6", "rx_other", "rx_erspan1",
         "rx_erspan2", "rx_erspan3", "rx_vxlan", "rx_geneve", "rx_tzsp")
DEV_COUNTERS = STD_COUNTERS + KINDS + (
    "rx_gro_split", "rx_seq_lost", "rx_seq_reordered", "rx_seq_dup",
    "rx_seq_restart", "rx_seq_untracked", "rx_erspan_truncated",
    "rx_erspan_bad", "rx_source_truncated", "drop_erspan_unknown",
    "drop_udp_unknown", "drop_geneve_oam", "drop_tzsp_not_eth",
    "drop_dev_down", "drop_nomem")
LINK_COUNTERS = ("link_pass_not_local", "link_pass_unmatched",
                 "link_pass_unsupported", "link_frag_queued",
                 "link_frag_reassembled", "link_frag_dropped")
# Where a packet the device or the link counts ends (the stack's do not).
ENDS = ("rx_packets", "rx_crc_errors", "rx_length_errors",
        "drop_erspan_unknown", "drop_udp_unknown", "drop_geneve_oam",
        "drop_tzsp_not_eth", "drop_dev_down", "drop_nomem",
        "link_pass_not_local", "link_pass_unmatched",
        "link_pass_unsupported", "link_frag_dropped")


def read_capture(path):
    """The frames of a pcap or pcapng file: (link type, bytes, length on
    the wire) each."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    frames = []
    if magic == 0x0A0D0D0A:
        off, e, ifaces = 0, "<", []
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if btype == 0x0A0D0D0A:
                bom = struct.unpack("<I", data[off + 8:off + 12])[0]
                e = "<" if bom == 0x1A2B3C4D else ">"
                blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
                # Interface numbers start again in each section.
                ifaces = []
            elif btype == 1:
                ifaces.append(struct.unpack(e + "H",
                                            data[off + 8:off + 10])[0])
            elif btype == 6:
                iface, = struct.unpack(e + "I", data[off + 8:off + 12])
                caplen, olen = struct.unpack(e + "II",
                                             data[off + 20:off + 28])
                frames.append((ifaces[iface],
                               data[off + 28:off + 28 + caplen], olen))
            elif btype == 3:
                olen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
                frames.append((ifaces[0], data[off + 12:off + 12 + min(
                    olen, blen - 16)], olen))
            if blen < 12:
                raise ValueError("%s: bad pcapng block at %d" % (path, off))
            off += blen
        return frames
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    # The link type's low 16 bits; the upper ones are FCS and flags.
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        incl, olen = struct.unpack(e + "II", data[off + 8:off + 16])
        frames.append((linktype, data[off + 16:off + 16 + incl], olen))
        off += 16 + incl
    return frames


class Seq:
    """Sequence accounting as Documentation/networking/grecap.rst says."""
    WINDOW, JUMP = 64, 1 << 24

    def __init__(self):
        self.streams = {}
        self.c = dict.fromkeys(("lost", "late", "reordered", "dup",
                                "restart"), 0)

    def account(self, stream, seq):
        s = self.streams.get(stream)
        if s is None:
            self.streams[stream] = {"top": seq, "seen": 1, "span": 1,
                                    "counting": False}
            return
        d = (seq - s["top"]) & 0xFFFFFFFF
        if d >= 1 << 31:
            d -= 1 << 32
        if 0 < d < self.JUMP:
            self.c["lost"] += d - 1
            s["seen"] = ((s["seen"] << d) | 1) & (2**64 - 1) \
                if d < self.WINDOW else 1
            s["span"] = min(s["span"] + d, self.WINDOW)
            s["top"] = seq
            s["counting"] = True
        elif d == 0:
            if s["counting"]:
                self.c["dup"] += 1
        elif -self.WINDOW < d < 0:
            if s["seen"] >> -d & 1:
                self.c["dup"] += 1
                return
            s["seen"] |= 1 << -d
            s["counting"] = True
            self.c["reordered"] += 1
            if -d < s["span"]:
                self.c["late"] += 1
        else:
            self.c["restart"] += 1
            self.streams[stream] = {"top": seq, "seen": 1, "span": 1,
                                    "counting": False}


class Model:
    """What grecap does with each outer packet, from the protocols.

    encap and port are the device's: a GRE device ("gre") takes GRE, a
    UDP one ("vxlan", "geneve", "tzsp") UDP to its port; inner_vxlan its
    innervxlan option."""

    def __init__(self, dev_mac, encap="gre", port=None, inner_vxlan=False):
        self.dev_mac = dev_mac
        self.encap = encap
        self.port = port or UDP_PORTS.get(encap)
        self.inner_vxlan = inner_vxlan
        # The outer protocols the link looks at: GRE always, UDP when a
        # device of the link takes UDP.
        self.wanted = (GRE,) if encap == "gre" else (GRE, UDP)
        self.delivered = []
        self.n = dict.fromkeys(DEV_COUNTERS + LINK_COUNTERS + ("stack",), 0)
        self.seq = Seq()
        self.frags = {}

    def count(self, name):
        self.n[name] += 1

    # -- outer IP
    def outer(self, pkt, v6):
        """(source, packet, IP length, L4 offset, L4 protocol) of a whole
        GRE or UDP packet the link looks at; None for a fragment still
        waiting or what is not grecap's."""
        if not v6:
            if len(pkt) < 20 or pkt[0] >> 4 != 4 or \
                    pkt[9] not in self.wanted:
                return self.stack()
            ihl = (pkt[0] & 15) * 4
            # A bad header is the stack's to drop and count.
            if ihl < 20 or ihl > len(pkt) or csum(pkt[:ihl]):
                return self.stack()
            tot = struct.unpack("!H", pkt[2:4])[0]
            if tot < ihl or tot > len(pkt):
                return self.stack()
            fo = struct.unpack("!H", pkt[6:8])[0]
            if fo & 0x3FFF:
                return self.defrag4(pkt[:tot], ihl)
            return pkt[12:16], pkt, tot, ihl, pkt[9]
        if len(pkt) < 40 or pkt[0] >> 4 != 6:
            return self.stack()
        plen = struct.unpack("!H", pkt[4:6])[0]
        # A jumbogram is not grecap's.
        if plen == 0 and pkt[6] == 0 or 40 + plen > len(pkt):
            return self.stack()
        # The header chain as ipv6_skip_exthdr() walks it: past a first
        # fragment's header, to a later fragment's.
        tot, nh, off, frag, fh = 40 + plen, pkt[6], 40, 0, None
        while nh in (0, 43, 44, 51, 59, 60):
            if nh == 59 or off + 2 > len(pkt):
                return self.stack()
            if nh == 44:
                if off + 4 > len(pkt):
                    return self.stack()
                frag = struct.unpack("!H", pkt[off + 2:off + 4])[0]
                fh = off
                if frag & 0xFFF8:
                    break
                step = 8
            elif nh == 51:
                step = (pkt[off + 1] + 2) * 4
            else:
                step = (pkt[off + 1] + 1) * 8
            nh, off = pkt[off], off + step
        if off > tot:
            return self.stack()
        if nh == 44:
            # Any later fragment's own next header says what it carries.
            if off + 8 > len(pkt):
                return self.stack()
            nh = pkt[off]
        if nh not in self.wanted:
            return self.stack()
        if frag:
            return self.defrag6(pkt[:tot], fh)
        return pkt[8:24], pkt, tot, off, nh

    def stack(self):
        self.count("stack")

    def defrag4(self, pkt, ihl):
        self.count("link_frag_queued")
        fo = struct.unpack("!H", pkt[6:8])[0]
        key = (4, pkt[12:20], pkt[4:6], pkt[9])
        q = self.frags.setdefault(key, {"parts": {}, "last": None,
                                        "hdr": None})
        start = (fo & 0x1FFF) * 8
        q["parts"][start] = pkt[ihl:]
        if start == 0:
            q["hdr"] = pkt[:ihl]
        if not fo & 0x2000:
            q["last"] = start + len(pkt) - ihl
        whole = self.assemble(q)
        if whole is None:
            return None
        del self.frags[key]
        hdr = bytearray(q["hdr"])
        hdr[2:4] = struct.pack("!H", len(hdr) + len(whole))
        hdr[6:8] = b"\0\0"
        # ip_frag_reasm() writes a new header checksum.
        hdr[10:12] = b"\0\0"
        hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
        self.count("link_frag_reassembled")
        return self.outer(bytes(hdr) + whole, False)

    def defrag6(self, pkt, off):
        self.count("link_frag_queued")
        fo = struct.unpack("!H", pkt[off + 2:off + 4])[0]
        key = (6, pkt[8:40], pkt[off + 4:off + 8])
        q = self.frags.setdefault(key, {"parts": {}, "last": None,
                                        "hdr": None})
        start = fo & 0xFFF8
        q["parts"][start] = pkt[off + 8:]
        if start == 0:
            q["hdr"] = (pkt[:off], pkt[off])
        if not fo & 1:
            q["last"] = start + len(pkt) - off - 8
        whole = self.assemble(q)
        if whole is None:
            return None
        del self.frags[key]
        hdr, nh = q["hdr"]
        hdr = bytearray(hdr)
        # The fragment header goes; its next header takes its place.
        prev = 6
        o = 40
        while o < len(hdr):
            prev, o = o, o + (hdr[o + 1] + 1) * 8
        hdr[prev] = nh
        hdr[4:6] = struct.pack("!H", len(hdr) - 40 + len(whole))
        self.count("link_frag_reassembled")
        return self.outer(bytes(hdr) + whole, True)

    @staticmethod
    def assemble(q):
        if q["last"] is None or q["hdr"] is None:
            return None
        out, at = b"", 0
        for start in sorted(q["parts"]):
            if start != at:
                return None
            out += q["parts"][start]
            at += len(q["parts"][start])
        return out if at == q["last"] else None

    # -- what the outer packet carries
    def packet(self, pkt, v6):
        o = self.outer(pkt, v6)
        if o is None:
            return
        src, whole, ip_len, l4, proto = o
        ip = whole[:ip_len]
        if proto == UDP:
            self.udp(ip, l4, v6)
        elif self.encap == "gre":
            self.gre(src, ip[l4:])
        else:
            self.gre_unmatched(ip[l4:])

    def gre_unmatched(self, g):
        """GRE on a link whose one device takes UDP: no device matches,
        but GRE the hook does not take (version 1, routing) is said so
        first."""
        if len(g) >= 4 and struct.unpack("!H", g[:2])[0] & 0x4007:
            self.count("link_pass_unsupported")
        else:
            self.count("link_pass_unmatched")

    def gre(self, src, g):
        """g: the outer packet from the GRE header to its IP length."""
        if len(g) < 4:
            self.count("rx_length_errors")
            return
        flags, proto = struct.unpack("!HH", g[:4])
        if flags & 0x4007:
            self.count("link_pass_unsupported")
            return
        hlen = 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + \
            4 * bool(flags & 0x1000)
        if len(g) < hlen:
            self.count("rx_length_errors")
            return
        opt = 4 + 4 * bool(flags & 0x8000)
        key = g[opt:opt + 4] if flags & 0x2000 else None
        opt += 4 * bool(flags & 0x2000)
        seq = struct.unpack("!I", g[opt:opt + 4])[0] if flags & 0x1000 \
            else None
        ver = {ERSPAN: 1 if flags & 0x1000 else 0, ERSPAN2: 2}.get(proto)
        body = g[hlen:]
        # grecap reads the ERSPAN session before anything else; then
        # gre_parse_header() checks the checksum, and wants an ERSPAN base
        # header behind any 0x88BE header with options.
        if ver and len(body) < 4:
            self.count("rx_length_errors")
            return
        if flags & 0x8000 and csum(g) != 0:
            self.count("rx_crc_errors")
            return
        if ver == 0 and hlen != 4 and len(body) < 4:
            self.count("rx_length_errors")
            return
        session = None
        if ver and body[0] >> 4 == ver:
            session = (body[2] & 3) << 8 | body[3]
        if seq is not None:
            self.seq.account((src, key, session), seq)

        if proto == TEB:
            self.frame(body, "rx_eth")
        elif ver is not None:
            self.erspan(ver, body)
        else:
            if flags == 0 and proto == WCCP:
                if not body:
                    self.count("rx_length_errors")
                    return
                proto = IPV4
                if body[0] & 0xF0 != 0x40:
                    body = body[4:]
            self.l3(proto, body, {IPV4: "rx_ipv4", IPV6: "rx_ipv6"}.get(
                proto, "rx_other"))

    def frame(self, f, kind, udp=False):
        """An Ethernet frame delivered, counted as kind; udp: carried in
        UDP, where grecap says when the source cut it."""
        if len(f) < 14:
            self.count("rx_length_errors")
            return False
        self.deliver(f, kind, udp and self.source_truncated(TEB, f))
        return True

    def l3(self, proto, body, kind, udp=False):
        """An L3 packet, delivered behind a synthesized Ethernet header:
        to the device's address from 00:00:00:00:00:00."""
        self.deliver(self.dev_mac + b"\0" * 6 + struct.pack("!H", proto) +
                     body, kind, udp and self.source_truncated(proto, body))
        return True

    def deliver(self, f, kind, cut):
        self.delivered.append(f)
        self.count("rx_packets")
        self.count(kind)
        self.n["rx_source_truncated"] += bool(cut)

    def erspan(self, ver, b):
        kind = ("rx_erspan1", "rx_erspan2", "rx_erspan3")[ver]
        if ver == 0:
            self.frame(b, kind)
            return
        need = 8 if ver == 1 else 12
        if len(b) < need:
            self.count("rx_length_errors")
            return
        if b[0] >> 4 != ver:
            self.count("drop_erspan_unknown")
            return
        t = b[2] >> 2 & 1
        bad = ver == 2 and b[2] >> 3 & 3
        if ver == 1:
            ok = self.frame(b[8:], kind)
        else:
            ft = b[10] >> 2 & 0x1F
            if b[11] & 1:
                need += 8
                if len(b) < need:
                    self.count("rx_length_errors")
                    return
            rest = b[need:]
            if ft == 0:
                ok = self.frame(rest, kind)
            elif ft == 2:
                if not rest:
                    self.count("rx_length_errors")
                    return
                if rest[0] >> 4 not in (4, 6):
                    self.count("drop_erspan_unknown")
                    return
                ok = self.l3(IPV4 if rest[0] >> 4 == 4 else IPV6, rest,
                             kind)
            else:
                self.count("drop_erspan_unknown")
                return
        if ok:
            self.n["rx_erspan_truncated"] += t
            self.n["rx_erspan_bad"] += bool(bad)

    # -- UDP: VXLAN, GENEVE, TZSP
    def udp(self, ip, off, v6):
        """ip: the outer IP packet (to its length), its UDP header at off."""
        if off + 8 > len(ip):
            return self.stack()
        _, dport, ulen, check = struct.unpack("!HHHH", ip[off:off + 8])
        # UDP to a port no device takes is not mirror traffic.
        if dport != self.port:
            return self.stack()
        # Read before a device is chosen: the VNI's header, in the packet.
        if self.encap in ("vxlan", "geneve") and off + 16 > len(ip):
            return self.count("rx_length_errors")
        if ulen < 8 or off + ulen > len(ip):
            return self.count("rx_length_errors")
        # What follows the datagram is not part of it.
        d = ip[off:off + ulen]
        if check:
            if v6:
                pseudo = ip[8:40] + struct.pack("!I3xB", ulen, UDP)
            else:
                pseudo = ip[12:20] + struct.pack("!xBH", UDP, ulen)
            if csum(pseudo + d):
                return self.count("rx_crc_errors")
        return getattr(self, self.encap)(d[8:])

    def vxlan(self, p):
        if len(p) < 8:
            return self.count("rx_length_errors")
        # The I flag (a valid VNI); every other bit is reserved, ignored.
        if not p[0] & 0x08:
            return self.count("drop_udp_unknown")
        return self.frame(p[8:], "rx_vxlan", True)

    def geneve(self, p):
        if len(p) < 8:
            return self.count("rx_length_errors")
        if p[0] >> 6:
            return self.count("drop_udp_unknown")
        if p[1] & 0x80:
            return self.count("drop_geneve_oam")
        proto = struct.unpack("!H", p[2:4])[0]
        if proto not in (TEB, IPV4, IPV6):
            return self.count("drop_udp_unknown")
        hlen = 8 + 4 * (p[0] & 0x3F)
        if hlen > len(p):
            return self.count("rx_length_errors")
        body = p[hlen:]
        if proto != TEB and self.inner_vxlan:
            strip = self.vxlan_in(proto, body)
            if strip:
                proto, body = TEB, body[strip:]
        if proto == TEB:
            return self.frame(body, "rx_geneve", True)
        return self.l3(proto, body, "rx_geneve", True)

    @staticmethod
    def vxlan_in(proto, b):
        """How many bytes of IP, UDP and VXLAN header head b, an IP packet
        of protocol proto that carries VXLAN (as AWS Gateway Load Balancer
        sends it); 0 when it is not one, or when what tells is missing."""
        if proto == IPV4:
            if len(b) < 20 or b[0] >> 4 != 4 or b[0] & 15 < 5 or \
                    b[9] != UDP or struct.unpack("!H", b[6:8])[0] & 0x3FFF:
                return 0
            iplen = (b[0] & 15) * 4
            if struct.unpack("!H", b[2:4])[0] < iplen + 16:
                return 0
        else:
            if len(b) < 40 or b[0] >> 4 != 6 or b[6] != UDP or \
                    struct.unpack("!H", b[4:6])[0] < 16:
                return 0
            iplen = 40
        if len(b) < iplen + 8 or \
                struct.unpack("!H", b[iplen + 2:iplen + 4])[0] != \
                INNER_VXLAN_PORT:
            return 0
        if len(b) < iplen + 16 or not b[iplen + 8] & 0x08:
            return 0
        return iplen + 16

    def tzsp(self, p):
        if len(p) < 4:
            return self.count("rx_length_errors")
        ver, kind, encap = struct.unpack("!BBH", p[:4])
        if ver != 1 or kind not in (0, 1):
            return self.count("drop_udp_unknown")
        if encap != 1:
            return self.count("drop_tzsp_not_eth")
        # Tagged fields: END (1) closes them, PADDING (0) is one byte, any
        # other tag has a length byte and that much data.
        off, end = 4, 4 + TZSP_TAGS_MAX
        while True:
            if off >= len(p):
                return self.count("rx_length_errors")
            if p[off] == 1:
                off += 1
                break
            if p[off] == 0:
                off += 1
            else:
                if off + 2 > len(p):
                    return self.count("rx_length_errors")
                off += 2 + p[off + 1]
            if off >= end:
                return self.count("drop_udp_unknown")
        return self.frame(p[off:], "rx_tzsp", True)

    @staticmethod
    def source_truncated(proto, f):
        """Did the source cut the frame f (of protocol proto: TEB for an
        Ethernet frame)?  Its inner IP header (behind at most one VLAN tag)
        says the packet is longer than what is there."""
        off = 0
        if proto == TEB:
            if len(f) < 14:
                return False
            proto, off = struct.unpack("!H", f[12:14])[0], 14
            if proto in (0x8100, 0x88A8):
                if len(f) < 18:
                    return False
                proto, off = struct.unpack("!H", f[16:18])[0], 18
        if proto == IPV4:
            if len(f) < off + 20 or f[off] >> 4 != 4:
                return False
            n = struct.unpack("!H", f[off + 2:off + 4])[0]
        elif proto == IPV6:
            if len(f) < off + 40 or f[off] >> 4 != 6:
                return False
            n = struct.unpack("!H", f[off + 4:off + 6])[0]
            # 0: a jumbogram, whose length is elsewhere.
            if not n:
                return False
            n += 40
        else:
            return False
        return off + n > len(f)

    def counters(self):
        n = dict(self.n)
        c = self.seq.c
        n.update(rx_seq_lost=c["lost"] - c["late"],
                 rx_seq_reordered=c["reordered"], rx_seq_dup=c["dup"],
                 rx_seq_restart=c["restart"])
        return n


def csum_adjust(check, old, new):
    """An Internet checksum over data whose bytes old (at an even offset)
    became new, updated without the rest (RFC 1624, eqn. 3:
    HC' = ~(~HC + ~m + m') over each changed 16-bit word)."""
    s = ~check & 0xFFFF
    for i in range(0, len(old), 2):
        s += ~struct.unpack("!H", old[i:i + 2])[0] & 0xFFFF
        s += struct.unpack("!H", new[i:i + 2])[0]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_check_fix(pkt, at, old, new, zero):
    """The UDP checksum at pkt[at:at + 2] after the addresses old became
    new: absent (0) it stays absent; zero: made absent."""
    if at + 2 > len(pkt):
        return
    check = struct.unpack("!H", pkt[at:at + 2])[0]
    if zero or not check:
        pkt[at:at + 2] = b"\0\0"
        return
    # One's complement has two zeros; UDP sends 0xFFFF for a computed 0.
    pkt[at:at + 2] = struct.pack("!H", csum_adjust(check, old, new) or
                                 0xFFFF)


def l4_of6(pkt):
    """(protocol, offset) of what an IPv6 packet carries after its
    extension headers; offset None in a fragment other than the first."""
    nh, off = pkt[6], 40
    while nh in (0, 43, 44, 51, 60) and off + 2 <= len(pkt):
        if nh == 44:
            if off + 8 > len(pkt):
                return pkt[off], None
            if struct.unpack("!H", pkt[off + 2:off + 4])[0] & 0xFFF8:
                return pkt[off], None
            step = 8
        elif nh == 51:
            step = (pkt[off + 1] + 2) * 4
        else:
            step = (pkt[off + 1] + 1) * 8
        nh, off = pkt[off], off + step
    return nh, off


def udp_check_new(pkt, l4, pseudo, zero):
    """The UDP checksum of the datagram at pkt[l4:], which has changed
    beyond adjusting: computed anew, or left absent (0); zero: made
    absent."""
    if zero or pkt[l4 + 6:l4 + 8] == b"\0\0":
        pkt[l4 + 6:l4 + 8] = b"\0\0"
        return
    pkt[l4 + 6:l4 + 8] = b"\0\0"
    pkt[l4 + 6:l4 + 8] = struct.pack("!H", csum(pseudo + bytes(pkt[l4:])) or
                                     0xFFFF)


def rewrite(linktype, frame, index, dst4, dst6, sources, zero4=False,
            zero6=False, cut=False):
    """The outer IP packet of a captured frame, rewritten, with a v6 flag;
    or None when it carries neither GRE nor UDP.  zero4, zero6: send UDP
    without a checksum (IPv4, IPv6).  cut: the capture cut the frame short;
    send it as a source that cuts frames to a length sends them, its outer
    IP and UDP lengths what there is (and a UDP checksum, which covered
    what is missing, computed anew unless absent)."""
    if linktype == LINKTYPE_ETHERNET:
        off = 12
        etype = struct.unpack("!H", frame[off:off + 2])[0]
        # Tags of the capture's link go: grecap takes untagged frames.
        while etype in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 6:
            off += 4
            etype = struct.unpack("!H", frame[off:off + 2])[0]
        pkt = bytearray(frame[off + 2:])
    elif linktype in LINKTYPES_IP:
        pkt = bytearray(frame)
        etype = {4: IPV4, 6: IPV6}.get(pkt[0] >> 4 if pkt else 0)
    else:
        raise ValueError("link type %d: neither Ethernet nor raw IP" %
                         linktype)
    if etype == IPV4 and len(pkt) >= 20 and pkt[0] >> 4 == 4:
        if pkt[9] not in (GRE, UDP):
            return None
        src = bytes(pkt[12:16])
        if src not in sources:
            sources[src] = len(sources) + 1
        old = bytes(pkt[12:20])
        pkt[12:16] = bytes((198, 18, index, sources[src]))
        pkt[16:20] = socket.inet_aton(dst4)
        check = struct.unpack("!H", pkt[10:12])[0]
        pkt[10:12] = struct.pack("!H", csum_adjust(check, old, pkt[12:20]))
        ihl = (pkt[0] & 15) * 4
        tot = struct.unpack("!H", pkt[2:4])[0]
        cut = cut and 20 <= ihl < len(pkt) < tot
        if cut:
            was, tot = bytes(pkt[2:4]), len(pkt)
            pkt[2:4] = struct.pack("!H", tot)
            check = struct.unpack("!H", pkt[10:12])[0]
            pkt[10:12] = struct.pack("!H", csum_adjust(check, was, pkt[2:4]))
        fo = struct.unpack("!H", pkt[6:8])[0]
        # A whole datagram's UDP header, or a first fragment's.
        if pkt[9] == UDP and ihl >= 20 and not fo & 0x1FFF and \
                ihl + 8 <= tot:
            if cut and not fo & 0x2000:
                pkt[ihl + 4:ihl + 6] = struct.pack("!H", tot - ihl)
                udp_check_new(pkt, ihl, bytes(pkt[12:20]) + struct.pack(
                    "!xBH", UDP, tot - ihl), zero4)
            else:
                udp_check_fix(pkt, ihl + 6, old, pkt[12:20], zero4)
        return bytes(pkt), False
    if etype == IPV6 and len(pkt) >= 40 and pkt[0] >> 4 == 6:
        nh, l4 = l4_of6(pkt)
        if nh not in (GRE, UDP):
            return None
        src = bytes(pkt[8:24])
        if src not in sources:
            sources[src] = len(sources) + 1
        old = bytes(pkt[8:40])
        pkt[8:24] = socket.inet_pton(socket.AF_INET6, "2001:db8:ff:%x::%x" %
                                     (index, sources[src]))
        pkt[24:40] = socket.inet_pton(socket.AF_INET6, dst6)
        plen = struct.unpack("!H", pkt[4:6])[0]
        cut = cut and 40 + plen > len(pkt)
        if cut:
            plen = len(pkt) - 40
            pkt[4:6] = struct.pack("!H", plen)
        if nh == UDP and l4 is not None and l4 + 8 <= 40 + plen:
            if cut:
                n = 40 + plen - l4
                pkt[l4 + 4:l4 + 6] = struct.pack("!H", n)
                udp_check_new(pkt, l4, bytes(pkt[8:40]) +
                              struct.pack("!I3xB", n, UDP), zero6)
            else:
                udp_check_fix(pkt, l4 + 6, old, pkt[8:40], zero6)
        return bytes(pkt), True
    return None


def plan(path, index, dst4, dst6, dev_mac, encap="gre", port=None,
         inner_vxlan=False, zero4=False, zero6=False, cut=False):
    """The capture at path as it is sent (outer IP packets and v6 flags),
    and the Model of what the device makes of it.  cut: frames the capture
    cut short are sent as a source that cuts them would (rewrite())."""
    model = Model(dev_mac, encap, port, inner_vxlan)
    sources, sent = {}, []
    for linktype, fr, wirelen in read_capture(path):
        r = rewrite(linktype, fr, index, dst4, dst6, sources, zero4, zero6,
                    cut and wirelen > len(fr))
        if r is None:
            continue
        sent.append(r)
        model.packet(*r)
    return sent, model


def sentinel(index, dst4):
    """A packet the link counts whatever its device: GRE version 1
    (PPTP's), which grecap passes as unsupported.  Sent last, once counted
    it says that what came before it has been handled, the stack's too."""
    return ipv4("198.18.%d.254" % index, dst4, GRE,
                struct.pack("!HH", 0x0001, 0x880B), 0xFFFF)


def read_frame(sock):
    """A frame as sniffers show it: the receive path keeps a frame's
    802.1Q tag out of band, and libpcap puts it back from PACKET_AUXDATA;
    so does this."""
    data, anc, _, _ = sock.recvmsg(65535, socket.CMSG_SPACE(20))
    for level, kind, val in anc:
        if level != SOL_PACKET or kind != PACKET_AUXDATA:
            continue
        status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", val[:20])
        if status & TP_STATUS_VLAN_VALID:
            if not status & TP_STATUS_VLAN_TPID_VALID:
                tpid = 0x8100
            data = data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def read_counters(dev, names):
    out = {}
    for n in names:
        d = "statistics" if n in STD_COUNTERS else "grecap_stats"
        with open("/sys/class/net/%s/%s/%s" % (dev, d, n)) as f:
            out[n] = int(f.read())
    return out


def cmd_replay(args):
    name = os.path.basename(args.file)
    dev_mac = bytes.fromhex(open("/sys/class/net/%s/address" %
                                 args.dev).read().strip().replace(":", ""))
    dst_mac = bytes.fromhex(args.dst_mac.replace(":", ""))
    sent, model = plan(args.file, args.index, args.dst4, args.dst6, dev_mac,
                       args.encap, args.port, args.inner_vxlan,
                       args.udp_csum_zero, args.udp6_csum_zero,
                       args.cut_by_source)
    wire = [dst_mac + b"\x02\0\0\0\0\x01" +
            (b"\x86\xdd" if v6 else b"\x08\x00") + pkt for pkt, v6 in
            sent + [(sentinel(args.index, args.dst4), False)]]
    want = model.counters()

    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                       socket.htons(ETH_P_ALL))
    rx.bind((args.dev, ETH_P_ALL))
    rx.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    # Room for a whole capture's frames: they are read after the sending.
    rx.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 26)
    link0 = read_counters(args.dev, LINK_COUNTERS)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((args.link, 0))
    for w in wire:
        tx.send(w)

    # Every packet ends somewhere counted, the stack's excepted: wait for
    # the counted ones and the sentinel, then read what came.  The
    # sentinel is not the capture's: not in the figures compared.
    def got():
        c = read_counters(args.dev, DEV_COUNTERS)
        lc = read_counters(args.dev, LINK_COUNTERS)
        c.update({k: lc[k] - link0[k] for k in LINK_COUNTERS})
        c["link_pass_unsupported"] -= 1
        return c
    # The deadline is only for a device that never gets there: a busy
    # host (other VMs beside this one) can take many seconds for a big
    # capture, and waiting longer costs nothing when all is well.
    deadline = time.monotonic() + 60 * int(os.environ.get(
        "GRECAP_TIMEOUT_SCALE", "1"))
    while True:
        c = got()
        if sum(c[k] for k in ENDS) >= sum(want[k] for k in ENDS) or \
                time.monotonic() > deadline:
            break
        time.sleep(0.02)
    # A frame is counted before grecap0's taps see it, and a vCPU the host
    # holds back can sit between the two: read until every expected frame
    # is in, then briefly for any beyond them (the counters catch the
    # rest).
    frames = []
    while len(frames) < len(model.delivered):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([rx], [], [], left)[0]:
            break
        frames.append(read_frame(rx))
    while select.select([rx], [], [], 0.05)[0]:
        frames.append(read_frame(rx))
    c = got()

    ok = True
    how = args.encap + ("" if args.encap == "gre" else " %d%s%s" % (
        model.port, " innervxlan" if args.inner_vxlan else "",
        " UDP checksums 0" if args.udp_csum_zero or args.udp6_csum_zero
        else "")) + (", cut by the source" if args.cut_by_source else "")
    label = "%s (%s): %d sent, %d to the stack" % (name, how, len(sent),
                                                   want["stack"])
    for k in DEV_COUNTERS + LINK_COUNTERS:
        if c[k] != want[k]:
            print("    FAIL: %s: %s %d, expected %d" % (name, k, c[k], want[k]))
            ok = False
    if frames != model.delivered:
        ok = False
        print("    FAIL: %s: %d frames delivered, expected %d" %
              (name, len(frames), len(model.delivered)))
        for i, (a, b) in enumerate(zip(model.delivered, frames)):
            if a != b:
                print("      frame %d differs: expected %s..., got %s..." %
                      (i, a[:32].hex(), b[:32].hex()))
                break
    if ok:
        print("    ok: %s; %d delivered byte-exact; %s" % (
            label, len(frames), " ".join(
                "%s %d" % (k, want[k]) for k in DEV_COUNTERS[1:] +
                LINK_COUNTERS if want[k])))
    raise SystemExit(0 if ok else 1)


ENCAPS = ("gre", "vxlan", "geneve", "tzsp")   # enum grecap_encap
IFF_UP = 1
IFLA_NET_NS_FD = 28
IFLA_GRECAP_ENCAP, IFLA_GRECAP_PORT, IFLA_GRECAP_INNER_VXLAN = 10, 11, 13


def make_device(args):
    """--make-on NETNS:LINK: the device --dev, of the replay's
    encapsulation, made on LINK of NETNS but in this process's namespace,
    and up: one request where ip needs three (add, set netns, set up),
    each a process start, which counts under emulation."""
    netns, link = args.make_on.split(":")
    data = nl.attr(IFLA_GRECAP_ENCAP, bytes([ENCAPS.index(args.encap)]))
    if args.port:
        data += nl.attr(IFLA_GRECAP_PORT, struct.pack("!H", args.port))
    if args.inner_vxlan:
        data += nl.attr(IFLA_GRECAP_INNER_VXLAN, b"\1")
    with nl.in_netns(netns):
        index = socket.if_nametoindex(link)
    with open("/proc/thread-self/ns/net") as here:
        body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, IFF_UP,
                           IFF_UP)
        body += nl.attr(nl.IFLA_IFNAME, args.dev.encode() + b"\0")
        body += nl.attr(nl.IFLA_LINK, struct.pack("=I", index))
        body += nl.attr(IFLA_NET_NS_FD, struct.pack("=I", here.fileno()))
        body += nl.attr(nl.IFLA_LINKINFO,
                        nl.attr(nl.IFLA_INFO_KIND, b"grecap\0") +
                        nl.attr(nl.IFLA_INFO_DATA, data))
        nl.request(nl.NLM_F_CREATE | nl.NLM_F_EXCL, body, netns)


def delete_device(dev):
    body = struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0)
    nl.request(0, body + nl.attr(nl.IFLA_IFNAME, dev.encode() + b"\0"),
               msg=nl.RTM_DELLINK)


def run(args):
    if args.make_on:
        make_device(args)
    try:
        cmd_replay(args)
    finally:
        if args.make_on:
            delete_device(args.dev)


def add_parsers(sub):
    r = sub.add_parser("replay")
    r.add_argument("file")
    r.add_argument("--link", required=True)
    r.add_argument("--dst-mac", required=True)
    r.add_argument("--dev", required=True)
    r.add_argument("--index", type=int, required=True)
    r.add_argument("--dst4", required=True)
    r.add_argument("--dst6", required=True)
    r.add_argument("--make-on", metavar="NETNS:LINK",
                   help="make --dev on LINK of the namespace of file NETNS,"
                   " here, up, and delete it after")
    r.add_argument("--encap", choices=ENCAPS,
                   default="gre", help="the device's encapsulation")
    r.add_argument("--port", type=int,
                   help="a UDP device's port (default 4789, 6081, 37008)")
    r.add_argument("--inner-vxlan", action="store_true",
                   help="the geneve device strips VXLAN carried in it")
    r.add_argument("--udp-csum-zero", action="store_true",
                   help="send IPv4 UDP without a checksum (0)")
    r.add_argument("--udp6-csum-zero", action="store_true",
                   help="send IPv6 UDP without a checksum (0) too")
    r.add_argument("--cut-by-source", action="store_true",
                   help="frames the capture cut short: outer IP and UDP"
                   " lengths of what there is, as a source that cuts sends")
