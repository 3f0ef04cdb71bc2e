# SPDX-License-Identifier: GPL-2.0
"""Replay real GRE and ERSPAN captures into a grecap device and check it.

  replay FILE --link DEV --dst-mac M --dev GRECAP --index N --dst4 A --dst6 B

FILE is a pcap or pcapng capture of Ethernet frames, read where it lies
(../shared/traces beside the project).  Of each frame, its outer IPv4 or
IPv6 packet is sent through DEV (the veth toward the collector) when it
carries GRE (protocol 47, fragments included), with a new Ethernet header
to M, the outer destination rewritten to A or B and each outer source to
an address of its own (198.18.N.x, 2001:db8:ff:N::x), the IPv4 header
checksum recomputed; everything from the GRE header on is sent as it was
captured.

What grecap must make of each packet is computed here from the protocols
(RFC 2784/2890 GRE, ERSPAN Types I-III, WCCP), independently of the
module: the frames it delivers, byte for byte and in order, read from
GRECAP (an AF_PACKET socket, as any sniffer reads it); what it drops,
under which counter; what goes to the stack; and, per stream (outer
source, GRE key, ERSPAN session), what the sequence numbers say was lost,
reordered, repeated or restarted.  GRECAP must be a fresh catch-all
device in this process's network namespace (its counters start at 0; the
link's are read before and after).  Prints a line per check, exits 1 when
one fails.
"""

import os
import select
import socket
import struct
import time

ETH_P_ALL = 0x0003
SO_RCVBUFFORCE = 33
SOL_PACKET, PACKET_AUXDATA = 263, 8
TP_STATUS_VLAN_VALID, TP_STATUS_VLAN_TPID_VALID = 1 << 4, 1 << 6
TEB, ERSPAN, ERSPAN2, WCCP = 0x6558, 0x88BE, 0x22EB, 0x883E

# What is compared, in this order: device counters, then the link's.
DEV_COUNTERS = ("rx_packets", "drop_bad_csum", "drop_truncated",
                "drop_erspan_unknown", "rx_seq_lost", "rx_seq_reordered",
                "rx_seq_dup", "rx_seq_restart", "rx_seq_untracked",
                "rx_erspan_truncated", "rx_erspan_bad")
LINK_COUNTERS = ("link_pass_unsupported", "link_frag_queued",
                 "link_frag_reassembled")


def csum(data):
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_capture(path):
    """The frames of a pcap or pcapng file (Ethernet link type)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    frames = []
    if magic == 0x0A0D0D0A:
        off, e = 0, "<"
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if btype == 0x0A0D0D0A:
                bom = struct.unpack("<I", data[off + 8:off + 12])[0]
                e = "<" if bom == 0x1A2B3C4D else ">"
                blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
            elif btype == 6:
                caplen = struct.unpack(e + "I", data[off + 20:off + 24])[0]
                frames.append(data[off + 28:off + 28 + caplen])
            elif btype == 3:
                olen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
                frames.append(data[off + 12:off + 12 + olen])
            off += blen
        return frames
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        frames.append(data[off + 16:off + 16 + incl])
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
    """What grecap does with each outer packet, from the protocols."""

    def __init__(self, dev_mac):
        self.dev_mac = dev_mac
        self.delivered = []
        self.n = dict.fromkeys(DEV_COUNTERS + LINK_COUNTERS + ("stack",), 0)
        self.seq = Seq()
        self.frags = {}

    def count(self, name):
        self.n[name] += 1

    # -- outer IP
    def outer(self, pkt, v6):
        """(source, packet, IP length, GRE offset) of a whole GRE packet;
        None for a fragment still waiting or what is not grecap's."""
        if not v6:
            ihl = (pkt[0] & 15) * 4
            tot = struct.unpack("!H", pkt[2:4])[0]
            if ihl < 20 or tot < ihl or tot > len(pkt):
                return self.stack()
            fo = struct.unpack("!H", pkt[6:8])[0]
            if fo & 0x3FFF:
                return self.defrag4(pkt[:tot], ihl)
            return pkt[12:16], pkt, tot, ihl
        plen = struct.unpack("!H", pkt[4:6])[0]
        if plen == 0 and pkt[6] == 0 or 40 + plen > len(pkt):
            return self.stack()
        tot, nh, off = 40 + plen, pkt[6], 40
        while nh in (0, 43, 60, 51, 44):
            if off + 8 > tot:
                return self.stack()
            if nh == 44:
                fo = struct.unpack("!H", pkt[off + 2:off + 4])[0]
                if fo:
                    # Any fragment's own next header says what it carries.
                    if pkt[off] != 47:
                        return self.stack()
                    return self.defrag6(pkt[:tot], off)
                nh, off = pkt[off], off + 8
            elif nh == 51:
                nh, off = pkt[off], off + (pkt[off + 1] + 2) * 4
            else:
                nh, off = pkt[off], off + (pkt[off + 1] + 1) * 8
        if nh != 47 or off > tot:
            return self.stack()
        return pkt[8:24], pkt, tot, off

    def stack(self):
        self.count("stack")

    def defrag4(self, pkt, ihl):
        self.count("link_frag_queued")
        fo = struct.unpack("!H", pkt[6:8])[0]
        key = (4, pkt[12:20], pkt[4:6])
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

    # -- GRE and what it carries
    def packet(self, pkt, v6):
        o = self.outer(pkt, v6)
        if o is not None:
            src, whole, ip_len, goff = o
            self.gre(src, whole[goff:ip_len])

    def gre(self, src, g):
        """g: the outer packet from the GRE header to its IP length."""
        if len(g) < 4:
            self.count("drop_truncated")
            return
        flags, proto = struct.unpack("!HH", g[:4])
        if flags & 0x4007:
            self.count("link_pass_unsupported")
            return
        hlen = 4 + 4 * bool(flags & 0x8000) + 4 * bool(flags & 0x2000) + \
            4 * bool(flags & 0x1000)
        if len(g) < hlen:
            self.count("drop_truncated")
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
            self.count("drop_truncated")
            return
        if flags & 0x8000 and csum(g) != 0:
            self.count("drop_bad_csum")
            return
        if ver == 0 and hlen != 4 and len(body) < 4:
            self.count("drop_truncated")
            return
        session = None
        if ver and body[0] >> 4 == ver:
            session = (body[2] & 3) << 8 | body[3]
        if seq is not None:
            self.seq.account((src, key, session), seq)

        if proto == TEB:
            self.frame(body)
        elif ver is not None:
            self.erspan(ver, body)
        else:
            if flags == 0 and proto == WCCP:
                if not body:
                    self.count("drop_truncated")
                    return
                proto = 0x0800
                if body[0] & 0xF0 != 0x40:
                    body = body[4:]
            self.l3(proto, body)

    def frame(self, f):
        if len(f) < 14:
            self.count("drop_truncated")
            return False
        self.delivered.append(f)
        self.count("rx_packets")
        return True

    def l3(self, proto, body):
        self.delivered.append(self.dev_mac + b"\0" * 6 +
                              struct.pack("!H", proto) + body)
        self.count("rx_packets")
        return True

    def erspan(self, ver, b):
        if ver == 0:
            self.frame(b)
            return
        need = 8 if ver == 1 else 12
        if len(b) < need:
            self.count("drop_truncated")
            return
        if b[0] >> 4 != ver:
            self.count("drop_erspan_unknown")
            return
        t = b[2] >> 2 & 1
        bad = ver == 2 and b[2] >> 3 & 3
        if ver == 1:
            ok = self.frame(b[8:])
        else:
            ft = b[10] >> 2 & 0x1F
            if b[11] & 1:
                need += 8
                if len(b) < need:
                    self.count("drop_truncated")
                    return
            rest = b[need:]
            if ft == 0:
                ok = self.frame(rest)
            elif ft == 2:
                if not rest:
                    self.count("drop_truncated")
                    return
                if rest[0] >> 4 not in (4, 6):
                    self.count("drop_erspan_unknown")
                    return
                ok = self.l3(0x0800 if rest[0] >> 4 == 4 else 0x86DD, rest)
            else:
                self.count("drop_erspan_unknown")
                return
        if ok:
            self.n["rx_erspan_truncated"] += t
            self.n["rx_erspan_bad"] += bool(bad)

    def counters(self):
        n = dict(self.n)
        c = self.seq.c
        n.update(rx_seq_lost=c["lost"] - c["late"],
                 rx_seq_reordered=c["reordered"], rx_seq_dup=c["dup"],
                 rx_seq_restart=c["restart"])
        return n


def rewrite(frame, index, dst4, dst6, sources):
    """The frame's outer IP packet, rewritten, with v6 flag; or None."""
    off = 12
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    while etype in (0x8100, 0x88A8, 0x9100) and len(frame) >= off + 6:
        off += 4
        etype = struct.unpack("!H", frame[off:off + 2])[0]
    pkt = bytearray(frame[off + 2:])
    if etype == 0x0800 and len(pkt) >= 20 and pkt[0] >> 4 == 4:
        if pkt[9] != 47:
            return None
        src = bytes(pkt[12:16])
        if src not in sources:
            sources[src] = len(sources) + 1
        pkt[12:16] = bytes((198, 18, index, sources[src]))
        pkt[16:20] = socket.inet_aton(dst4)
        ihl = (pkt[0] & 15) * 4
        pkt[10:12] = b"\0\0"
        pkt[10:12] = struct.pack("!H", csum(bytes(pkt[:ihl])))
        return bytes(pkt), False
    if etype == 0x86DD and len(pkt) >= 40 and pkt[0] >> 4 == 6:
        if not carries_gre6(pkt):
            return None
        src = bytes(pkt[8:24])
        if src not in sources:
            sources[src] = len(sources) + 1
        pkt[8:24] = socket.inet_pton(socket.AF_INET6, "2001:db8:ff:%x::%x" %
                                     (index, sources[src]))
        pkt[24:40] = socket.inet_pton(socket.AF_INET6, dst6)
        return bytes(pkt), True
    return None


def carries_gre6(pkt):
    nh, off = pkt[6], 40
    while nh in (0, 43, 60, 51) and off + 2 <= len(pkt):
        step = (pkt[off + 1] + 2) * 4 if nh == 51 else (pkt[off + 1] + 1) * 8
        nh, off = pkt[off], off + step
    if nh == 44 and off + 1 <= len(pkt):
        nh = pkt[off]
    return nh == 47


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
        d = "statistics" if n == "rx_packets" else "grecap_stats"
        with open("/sys/class/net/%s/%s/%s" % (dev, d, n)) as f:
            out[n] = int(f.read())
    return out


def cmd_replay(args):
    name = os.path.basename(args.file)
    dev_mac = bytes.fromhex(open("/sys/class/net/%s/address" %
                                 args.dev).read().strip().replace(":", ""))
    dst_mac = bytes.fromhex(args.dst_mac.replace(":", ""))
    model = Model(dev_mac)
    sources, wire = {}, []
    for fr in read_capture(args.file):
        r = rewrite(fr, args.index, args.dst4, args.dst6, sources)
        if r is None:
            continue
        pkt, v6 = r
        wire.append(dst_mac + b"\x02\0\0\0\0\x01" +
                    (b"\x86\xdd" if v6 else b"\x08\x00") + pkt)
        model.packet(pkt, v6)
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
    # the counted ones, then read what came.
    def got():
        c = read_counters(args.dev, DEV_COUNTERS)
        lc = read_counters(args.dev, LINK_COUNTERS)
        c.update({k: lc[k] - link0[k] for k in LINK_COUNTERS})
        return c
    ends = ("rx_packets", "drop_bad_csum", "drop_truncated",
            "drop_erspan_unknown", "link_pass_unsupported")
    deadline = time.monotonic() + 5 * int(os.environ.get(
        "GRECAP_TIMEOUT_SCALE", "1"))
    while True:
        c = got()
        if sum(c[k] for k in ends) >= sum(want[k] for k in ends) or \
                time.monotonic() > deadline:
            break
        time.sleep(0.02)
    frames = []
    while select.select([rx], [], [], 0.05)[0]:
        frames.append(read_frame(rx))
    c = got()

    ok = True
    label = "%s: %d sent, %d to the stack" % (name, len(wire), want["stack"])
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


def add_parser(sub):
    r = sub.add_parser("replay")
    r.add_argument("file")
    r.add_argument("--link", required=True)
    r.add_argument("--dst-mac", required=True)
    r.add_argument("--dev", required=True)
    r.add_argument("--index", type=int, required=True)
    r.add_argument("--dst4", required=True)
    r.add_argument("--dst6", required=True)
