# SPDX-License-Identifier: GPL-2.0
"""Fault injection on grecap's configuration, as syzkaller does it: the
1st, 2nd, 3rd, ... allocation of one operation fails in turn
(/proc/thread-self/fail-nth), until the operation runs through.

  faults OPERATION --netns NS --other-netns NS2 --sys SYSFS
         --dst-mac M --dst-mac1 M1 --src A --dst B
      A netlink operation on grecap devices of the collector's links
      (namespace files /run/netns/..., SYSFS the collector's sysfs).
      Before each try the operation's setup is made; after it, the
      grecap devices (a link dump) must be as before the operation or as
      after it, an error must have come back when they are as before,
      and mirrored traffic must reach the devices that should have it:
      the operation's own, and the two col0 keeps through every try.
      The last try runs through: the same operation, without a failure,
      succeeds.  Prints the operation's failure points (allocations that
      failed it) and exits 1 on any inconsistency.

  fail-loop modload|modunload|dellink --ko PATH --netns NS --snd-netns NS2
      finit_module(2) of grecap.ko (PATH), delete_module(2), or
      RTM_DELLINK of a link, with the 1st, 2nd, ... allocation failing
      until it runs through, in this process
      (a process start per try costs a second under the debug kernel's
      emulation), each try checked and the state put back:
        modload    "modprobe grecap link=gm0": loaded with grecap0 on gm0
                   (or the log saying why not), or not loaded, no grecap0;
        modunload  rmmod of grecap with grecap0 and NS's keep and k7:
                   gone with all of them, or loaded with all of them;
        dellink    deleting NS's col1 (peer snd1 in NS2) with its grecap
                   devices l1 and l2: all three gone, or all three there.
      Prints the failure points; exits 1 on any inconsistency.

OPERATIONS: on col0, beside a catch-all "keep" and a keyed "k7":
  add-key add-remote6 add-session add-vni add-geneve add-tzsp
      a further device, of each kind of filter and option
  set-key set-remote set-session set-options set-encap set-vni
      a change of each field
  del, netns
      deleting a device; moving it to another namespace
on col1, a link with no grecap device yet:
  add-first
      the first device on a link, which makes the link's port too
"""

import ctypes
import os
import socket
import struct
import time

from grecap_nl import attr, attrs, in_netns
from grecap_packets import ipv4, mac, udp

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK = 16, 17, 18
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLM_F_EXCL, NLM_F_CREATE = 0x200, 0x400
NLMSG_ERROR, NLMSG_DONE = 2, 3
IFLA_IFNAME, IFLA_LINK, IFLA_LINKINFO, IFLA_NET_NS_FD = 3, 5, 18, 28
VETH_INFO_PEER = 1
IFLA_INFO_KIND, IFLA_INFO_DATA = 1, 2
(LOCAL, REMOTE, LOCAL6, REMOTE6, IFLAGS, IKEY, SESSION, VLAN, TSTAMP,
 ENCAP, PORT, VNI, INNER_VXLAN) = range(1, 14)
GRE_KEY = 0x2000
SYS_FINIT_MODULE, SYS_DELETE_MODULE = 313, 176


def a32(t, v):
    return attr(t, struct.pack("=I", v))


def a8(t, v):
    return attr(t, struct.pack("=B", v))


def a_be16(t, v):
    return attr(t, struct.pack("!H", v))


def a_be32(t, v):
    return attr(t, struct.pack("!I", v))


def a_addr(t, a):
    return attr(t, socket.inet_pton(socket.AF_INET6 if ":" in a else
                                    socket.AF_INET, a))


def keyed(key):
    return a_be16(IFLAGS, GRE_KEY) + a_be32(IKEY, key)


class Netlink:
    """A NETLINK_ROUTE socket of one namespace.  Its requests run in this
    thread in the kernel, so fail-nth counts their allocations."""

    def __init__(self, netns):
        with in_netns(netns):
            self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.s.setsockopt(270, 11, 1)   # NETLINK_EXT_ACK
        self.s.setsockopt(270, 10, 1)   # NETLINK_CAP_ACK
        self.seq = 0

    def message(self, kind, flags, body):
        self.seq += 1
        return struct.pack("=IHHII", 16 + len(body), kind,
                           NLM_F_REQUEST | flags, self.seq, 0) + body

    def ack(self):
        """The error of the last request (0: done) and its message."""
        while True:
            data = self.s.recv(65536)
            off = 0
            while off + 16 <= len(data):
                ln, t, _, seq, _ = struct.unpack("=IHHII", data[off:off + 16])
                if t == NLMSG_ERROR and seq == self.seq:
                    err = struct.unpack("=i", data[off + 16:off + 20])[0]
                    tlv = attrs(data[off + 36:off + ln])
                    return err, tlv.get(1, b"").rstrip(b"\0").decode()
                off += (ln + 3) & ~3

    def run(self, requests, what):
        for kind, flags, body in requests:
            self.s.send(self.message(kind, flags | NLM_F_ACK, body))
            err, msg = self.ack()
            if err:
                raise OSError(-err, "%s: %s" % (what, msg or
                                                os.strerror(-err)))

    def names(self):
        """The names of all links."""
        return set(self.links())

    def grecap_state(self):
        """The grecap devices: {name: their IFLA_INFO_DATA, sorted}."""
        out = {}
        for name, info in self.links().items():
            if info.get(IFLA_INFO_KIND) == b"grecap\0":
                out[name] = tuple(sorted(attrs(info.get(IFLA_INFO_DATA,
                                                        b"")).items()))
        return out

    def links(self):
        """Every link: {name: its IFLA_LINKINFO's attributes}."""
        self.s.send(self.message(RTM_GETLINK, NLM_F_DUMP,
                                 struct.pack("=BxHiII", 0, 0, 0, 0, 0)))
        out = {}
        while True:
            data = self.s.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                ln, t = struct.unpack("=IH", data[off:off + 6])
                if t == NLMSG_DONE:
                    return out
                if t == NLMSG_ERROR:
                    raise OSError("link dump failed")
                a = attrs(data[off + 32:off + ln])
                name = a[IFLA_IFNAME].rstrip(b"\0").decode()
                out[name] = attrs(a.get(IFLA_LINKINFO, b""))
                off += (ln + 3) & ~3


IFF_UP = 1


def body(name, data=b"", link=None, grecap=True, extra=b"", up=False):
    """An ifinfomsg and its attributes; up: IFF_UP set, as "ip link add
    ... up" does (a device that is down counts no rx_packets)."""
    flags = IFF_UP if up else 0
    b = struct.pack("=BxHiII", 0, 0, 0, flags, flags)
    b += attr(IFLA_IFNAME, name.encode() + b"\0")
    if link is not None:
        b += a32(IFLA_LINK, link)
    if grecap:
        info = attr(IFLA_INFO_KIND, b"grecap\0")
        if data:
            info += attr(IFLA_INFO_DATA, data)
        b += attr(IFLA_LINKINFO, info)
    return b + extra


class FailNth:
    """/proc/thread-self/fail-nth of the calling thread."""

    def __init__(self):
        self.fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    def arm(self, n):
        os.pwrite(self.fd, b"%d" % n, 0)

    def injected(self):
        """Disarm; True when the failure was injected."""
        left = int(os.pread(self.fd, 16, 0).strip() or b"0")
        os.pwrite(self.fd, b"0", 0)
        return left == 0


class Traffic:
    """One mirrored packet from this (the sender's) namespace to a link of
    the collector, and the device that must count it."""

    def __init__(self, args):
        self.args = args
        self.socks = {}

    def send(self, link, frame):
        if link not in self.socks:
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind(({"col0": "snd0", "col1": "snd1"}[link], 0))
            self.socks[link] = s
        dst = self.args.dst_mac if link == "col0" else self.args.dst_mac1
        self.socks[link].send(mac(dst) + mac("02:00:00:00:00:01") +
                              b"\x08\x00" + frame)

    def count(self, dev):
        """What dev took: delivered, or dropped because it is down."""
        n = 0
        for f in ("statistics/rx_packets", "grecap_stats/drop_dev_down"):
            with open("%s/class/net/%s/%s" % (self.args.sys, dev, f)) as f:
                n += int(f.read())
        return n

    def packet(self, what):
        """GRE with a key (an int) or without (None), or ("vxlan", VNI)."""
        inner = mac("02:00:00:00:00:02") + mac("02:00:00:00:00:01") + \
            b"\x08\x00" + ipv4("10.9.0.1", "10.9.0.2", 17,
                               udp(4000, 9, b"grecap fault"))
        if isinstance(what, tuple):
            payload = udp(40000, 4789, struct.pack("!BxxxI", 8,
                                                   what[1] << 8) + inner)
            return ipv4(self.args.src, self.args.dst, 17, payload)
        gre = struct.pack("!HH", GRE_KEY if what is not None else 0, 0x6558)
        if what is not None:
            gre += struct.pack("!I", what)
        return ipv4(self.args.src, self.args.dst, 47, gre + inner)

    def reach(self, checks):
        """checks: [(link, dev, what)], one packet each, sent at once.
        The devices that did not count theirs in time."""
        want = {}
        for _, dev, _ in checks:
            want[dev] = want.get(dev, 0) + 1
        want = {dev: self.count(dev) + n for dev, n in want.items()}
        for link, _, what in checks:
            self.send(link, self.packet(what))
        deadline = time.monotonic() + 5 * int(os.environ.get(
            "GRECAP_TIMEOUT_SCALE", "1"))
        while want and time.monotonic() < deadline:
            want = {d: n for d, n in want.items() if self.count(d) < n}
            if want:
                time.sleep(0.005)
        return sorted(want)


def operations(col0, col1, other_ns):
    """name: (link, setup, operation, traffic before, traffic after).
    Traffic is (device, what): see Traffic.packet."""
    # Devices are made down, but for the first on a link, which is made
    # up: dev_open's allocations are tried once, not in every add.
    def new(name, data, link=col0, up=False):
        return (RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                body(name, data, link, up=up))

    def change(name, data):
        return (RTM_NEWLINK, 0, body(name, data))

    g1 = [new("g1", keyed(42))]
    return {
        "add-first": ("col1", [], new("g1", b"", col1, up=True), None,
                      ("g1", None)),
        "add-key": ("col0", [], new("g1", keyed(42)), ("keep", 42),
                    ("g1", 42)),
        "add-remote6": ("col0", [],
                        new("g1", a_addr(REMOTE6, "2001:db8::1") +
                            a8(TSTAMP, 1)), None, None),
        "add-session": ("col0", [],
                        new("g1", attr(SESSION, struct.pack("=H", 9)) +
                            a8(VLAN, 1)), None, None),
        "add-vni": ("col0", [], new("g1", a8(ENCAP, 1) + a32(VNI, 123)),
                    None, ("g1", ("vxlan", 123))),
        "add-geneve": ("col0", [],
                       new("g1", a8(ENCAP, 2) + a8(INNER_VXLAN, 1)), None,
                       None),
        "add-tzsp": ("col0", [],
                     new("g1", a8(ENCAP, 3) + a_be16(PORT, 31337)), None,
                     None),
        "set-key": ("col0", g1, change("g1", a_be32(IKEY, 43)), ("g1", 42),
                    ("g1", 43)),
        "set-remote": ("col0", g1, change("g1", a_addr(REMOTE, "192.0.2.1")),
                       ("g1", 42), ("g1", 42)),
        "set-session": ("col0", g1,
                        change("g1", attr(SESSION, struct.pack("=H", 5))),
                        ("g1", 42), ("keep", 42)),
        "set-options": ("col0", g1, change("g1", a8(VLAN, 1) + a8(TSTAMP, 1)),
                        ("g1", 42), ("g1", 42)),
        "set-encap": ("col0", g1,
                      change("g1", a8(ENCAP, 1) + a_be16(IFLAGS, 0) +
                             a32(VNI, 5)), ("g1", 42), ("g1", ("vxlan", 5))),
        "set-vni": ("col0", [new("g1", a8(ENCAP, 1) + a32(VNI, 5))],
                    change("g1", a32(VNI, 6)), ("g1", ("vxlan", 5)),
                    ("g1", ("vxlan", 6))),
        "del": ("col0", g1, (RTM_DELLINK, 0, body("g1", grecap=False)),
                ("g1", 42), ("keep", 42)),
        # Moved, it keeps its link's traffic (counted in a namespace
        # whose sysfs is not at hand): the dumps of both namespaces
        # tell where it is.
        "netns": ("col0", g1,
                  (RTM_NEWLINK, 0, body("g1", grecap=False,
                                        extra=a32(IFLA_NET_NS_FD,
                                                  other_ns))),
                  ("g1", 42), None),
    }


# The devices col0 keeps through every try.
KEEP = ("keep", "k7")


def reset(*links, states=None):
    """Back to the baseline: no grecap device but the keeps, wherever one
    went.  states: each namespace's grecap_state(), when just read."""
    for i, nl in enumerate(links):
        state = states[i] if states else nl.grecap_state()
        nl.run([(RTM_DELLINK, 0, body(name, grecap=False))
                for name in state if name not in KEEP], "reset")


def cmd_faults(args):
    """One operation, its every failure point in turn."""
    nl = Netlink(args.netns)
    other_nl = Netlink(args.other_netns)
    other = os.open(args.other_netns, os.O_RDONLY)
    with in_netns(args.netns):
        col0 = socket.if_nametoindex("col0")
        col1 = socket.if_nametoindex("col1")
    link, setup, request, before_to, after_to = \
        operations(col0, col1, other)[args.operation]
    traffic = Traffic(args)
    fail = FailNth()
    bad = []

    def reaches(n, when, to):
        """The operation's traffic (to: (device, what) or None) and, on
        col0, the two devices it keeps, each at its device."""
        checks = [(link, to[0], to[1])] if to else []
        if link == "col0":
            checks += [("col0", "keep", None), ("col0", "k7", 7)]
        for dev in traffic.reach(checks):
            bad.append("try %d (%s): traffic for %s did not reach it" %
                       (n, when, dev))

    # The state before and after, from a try without a failure.
    def state():
        return nl.grecap_state(), other_nl.grecap_state()

    reset(nl, other_nl)
    nl.run(setup, "setup")
    before = state()
    nl.run([request], "the operation itself")
    after = state()
    reset(nl, other_nl)
    n = injected = 0
    while n < args.max:
        n += 1
        nl.run(setup, "setup")
        msg = nl.message(request[0], request[1] | NLM_F_ACK, request[2])
        fail.arm(n)
        try:
            nl.s.send(msg)
            err, text = nl.ack()
        except OSError as e:
            err, text = -e.errno, "sendmsg: " + e.strerror
        hit = fail.injected()
        now = state()
        if not hit:
            if err or now != after:
                bad.append("try %d: ran through, but error %d (%s) or the "
                           "state is not the one after" % (n, err, text))
            reaches(n, "ran through", after_to)
            reset(nl, other_nl, states=now)
            break
        injected += 1
        if now == after:
            # Done all the same: what failed was something the operation
            # does without (a notification, say).
            reaches(n, "done despite the failure", after_to)
        elif now == before and err:
            reaches(n, "refused", before_to)
        else:
            bad.append("try %d: error %d (%s), the state %s" %
                       (n, err, text, "the one before" if now == before
                        else "neither before nor after"))
        reset(nl, other_nl, states=now)
    else:
        bad.append("still failing after %d tries" % args.max)
    os.close(other)
    print("%s: %d failure points, each refused or done whole; the "
          "operation ran through at try %d" % (args.operation, injected, n))
    for b in bad:
        print("    FAIL: %s: %s" % (args.operation, b))
    raise SystemExit(1 if bad else 0)


ROOT_NS = "/proc/1/ns/net"


class Module:
    """grecap.ko loaded and unloaded by system call, as modprobe and rmmod
    do (its dependencies stay loaded)."""

    def __init__(self, ko):
        self.ko = ko
        self.syscall = ctypes.CDLL(None, use_errno=True).syscall

    def load(self, params, fail=None, n=0):
        """finit_module(2); with FAIL, its Nth allocation failing (the
        file opened before)."""
        fd = os.open(self.ko, os.O_RDONLY)
        try:
            if fail:
                fail.arm(n)
            if self.syscall(SYS_FINIT_MODULE, fd, params.encode(), 0):
                return ctypes.get_errno()
            return 0
        finally:
            os.close(fd)

    def unload(self):
        if self.syscall(SYS_DELETE_MODULE, b"grecap", os.O_NONBLOCK):
            return ctypes.get_errno()
        return 0

    @staticmethod
    def loaded():
        return os.path.isdir("/sys/module/grecap")


class Kmsg:
    """The kernel log from a point on."""

    def __init__(self):
        self.fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)

    def mark(self):
        os.lseek(self.fd, 0, os.SEEK_END)

    def since(self):
        out = []
        while True:
            try:
                rec = os.read(self.fd, 8192)
            except BlockingIOError:
                return out
            except OSError:
                continue        # a record overwritten meanwhile
            out.append(rec.decode(errors="replace").split(";", 1)[-1])


def new_link(name, kind, data=b"", link=None, up=True, extra=b""):
    flags = IFF_UP if up else 0
    b = struct.pack("=BxHiII", 0, 0, 0, flags, flags)
    b += attr(IFLA_IFNAME, name.encode() + b"\0")
    if link is not None:
        b += a32(IFLA_LINK, link)
    info = attr(IFLA_INFO_KIND, kind.encode() + b"\0")
    if data:
        info += attr(IFLA_INFO_DATA, data)
    return (RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
            b + attr(IFLA_LINKINFO, info) + extra)


def ran_through(n, err, hit, bad):
    """After try N: True when no failure was injected, and then the
    operation must have succeeded."""
    if hit:
        return False
    if err:
        bad.append("ran through at try %d, but: %s" % (n, os.strerror(err)))
    return True


def loop_modload(args, fail, bad):
    """modprobe grecap link=gm0, its Nth allocation failing."""
    mod, kmsg, root = Module(args.ko), Kmsg(), Netlink(ROOT_NS)
    n = 0
    while n < args.max:
        n += 1
        kmsg.mark()
        err = mod.load("link=gm0", fail, n)
        hit = fail.injected()
        log = kmsg.since()
        if not err:
            made = "grecap0" in root.grecap_state()
            told = any("link=gm0: no device created" in line for line in log)
            if not mod.loaded() or not (made or told):
                bad.append("try %d: loaded, but without grecap0 and without "
                           "a word of why" % n)
            if mod.unload() or mod.loaded():
                bad.append("try %d: the module would not unload" % n)
                return n, hit
        elif mod.loaded() or "grecap0" in root.grecap_state():
            bad.append("try %d: refused (%s), but loaded or grecap0 there" %
                       (n, os.strerror(err)))
            return n, hit
        if ran_through(n, err, hit, bad):
            return n, hit
    return n, True


def loop_modunload(args, fail, bad):
    """rmmod grecap with three devices, its Nth allocation failing."""
    mod, root, col = Module(args.ko), Netlink(ROOT_NS), Netlink(args.netns)
    with in_netns(args.netns):
        col0 = socket.if_nametoindex("col0")
    devices = [new_link("keep", "grecap", link=col0),
               new_link("k7", "grecap", keyed(7), link=col0)]
    n = 0
    while n < args.max:
        n += 1
        if not mod.loaded():
            if mod.load("link=gm0"):
                bad.append("try %d: the module would not load" % n)
                return n, True
            col.run(devices, "the devices to unload with")
        fail.arm(n)
        err = mod.unload()
        hit = fail.injected()
        if not err:
            if mod.loaded() or root.grecap_state() or col.grecap_state():
                bad.append("try %d: unloaded, but not gone with its devices"
                           % n)
                return n, hit
        else:
            if not mod.loaded() or \
                    "grecap0" not in root.grecap_state() or \
                    set(col.grecap_state()) != {"keep", "k7"}:
                bad.append("try %d: refused (%s), but a device is gone" %
                           (n, os.strerror(err)))
                return n, hit
            if mod.unload():
                bad.append("try %d: refused, then would not unload" % n)
                return n, hit
        if ran_through(n, err, hit, bad):
            return n, hit
    return n, True


def loop_dellink(args, fail, bad):
    """Deleting a link with two grecap devices, its Nth allocation
    failing."""
    col, snd_nl = Netlink(args.netns), Netlink(args.snd_netns)
    snd = os.open(args.snd_netns, os.O_RDONLY)
    whole = {"col1", "l1", "l2"}
    # The peer comes up after the pair is made (veth_open() wants its
    # peer), as ip link set snd1 up does.
    peer = struct.pack("=BxHiII", 0, 0, 0, 0, 0) + \
        attr(IFLA_IFNAME, b"snd1\0") + a32(IFLA_NET_NS_FD, snd)
    snd1_up = (RTM_NEWLINK, 0, struct.pack("=BxHiII", 0, 0, 0, IFF_UP,
                                           IFF_UP) +
               attr(IFLA_IFNAME, b"snd1\0"))
    n = 0
    while n < args.max:
        n += 1
        if "col1" not in col.names():
            col.run([new_link("col1", "veth", attr(VETH_INFO_PEER, peer))],
                    "col1")
            snd_nl.run([snd1_up], "snd1 up")
        with in_netns(args.netns):
            col1 = socket.if_nametoindex("col1")
        col.run([new_link("l1", "grecap", link=col1, up=False),
                 new_link("l2", "grecap", keyed(1), link=col1, up=False)],
                "col1's devices")
        msg = col.message(RTM_DELLINK, NLM_F_ACK, body("col1", grecap=False))
        fail.arm(n)
        try:
            col.s.send(msg)
            err = -col.ack()[0]
        except OSError as e:
            err = e.errno
        hit = fail.injected()
        left = whole & col.names()
        if not err and left:
            bad.append("try %d: deleted, but %s left" % (n, sorted(left)))
            return n, hit
        if err:
            if left != whole:
                bad.append("try %d: refused (%s), but only %s left" %
                           (n, os.strerror(err), sorted(left)))
                return n, hit
            col.run([(RTM_DELLINK, 0, body("col1", grecap=False))],
                    "col1 after a refusal")
        if ran_through(n, err, hit, bad):
            return n, hit
    os.close(snd)
    return n, True


LOOPS = {
    "modload": ("modprobe grecap link=gm0 (finit_module)", loop_modload),
    "modunload": ("rmmod grecap with devices (delete_module)",
                  loop_modunload),
    "dellink": ("deleting the link of two devices", loop_dellink),
}


def cmd_fail_loop(args):
    """One operation, its every failure point in turn."""
    desc, loop = LOOPS[args.what]
    bad = []
    n, still = loop(args, FailNth(), bad)
    if still and not bad:
        bad.append("still failing after %d tries" % n)
    print("%s: %d failure points, each refused or done whole; it ran "
          "through at try %d" % (desc, n - 1, n))
    for b in bad:
        print("    FAIL: %s: %s" % (desc, b))
    raise SystemExit(1 if bad else 0)


def run(args):
    if args.cmd == "faults":
        cmd_faults(args)
    else:
        cmd_fail_loop(args)


def add_parsers(sub):
    f = sub.add_parser("faults")
    f.add_argument("operation")
    f.add_argument("--netns", required=True)
    f.add_argument("--other-netns", required=True)
    f.add_argument("--sys", required=True)
    f.add_argument("--dst-mac", required=True)
    f.add_argument("--dst-mac1", required=True)
    f.add_argument("--src", required=True)
    f.add_argument("--dst", required=True)
    f.add_argument("--max", type=int, default=2000)
    f = sub.add_parser("fail-loop")
    f.add_argument("what", choices=sorted(LOOPS))
    f.add_argument("--ko", default="")
    f.add_argument("--netns", default="")
    f.add_argument("--snd-netns", default="")
    f.add_argument("--max", type=int, default=2000)
