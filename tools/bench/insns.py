#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""make bench-insns: instructions per frame from the plugin's snapshots.

  insns.py OUTDIR [TOP]

Reads OUTDIR/insns-frames.txt ("flavour path round sent counted sent
counted" per run: frames sent and frames the path's last counter saw, in
a short and a long flood), the snapshots insns-FLAVOUR-PATH-ROUND-{0,1,2}
(before, between and after the floods) and the guest's kallsyms.txt.  The
long flood's counts less the short one's, over the difference in frames:
what the frames cost, without the starting and ending of a trafgen
process that each flood includes.
Prints per flavour and path the instructions and memory accesses the guest
executed per frame (sender and receiver: trafgen and the receive path share
a CPU, as in make bench), and grecap's ratios: bare receive's cost over
grecap's (what a rate ratio in make bench would be if every instruction
cost the same) and the kernel path's over grecap's.  Then the same on the
receiving CPU alone (CPU 1: the link's RPS steers every frame there, the
sender runs on CPU 0), what a capture server's receive CPU pays per frame,
and a PASS or FAIL line per goal (GOALS below).  Writes, per flavour,
OUTDIR/insns-FLAVOUR.txt: the TOP (40) functions whose instructions per
frame differ most between the bare and grecap paths.
"""

import bisect
import collections
import os
import statistics
import sys

out = sys.argv[1]
top = int(sys.argv[2]) if len(sys.argv) > 2 else 40

syms = []
with open(os.path.join(out, "kallsyms.txt")) as f:
    for line in f:
        p = line.split()
        if len(p) >= 3 and p[1] in "tTwW":
            name = p[2] + (" " + p[3] if len(p) > 3 else "")
            syms.append((int(p[0], 16), name))
syms.sort()
addrs = [a for a, _ in syms]


RX_CPU = 1


def load(tag):
    """{(pc, instructions): (executions, memory accesses, executions on
    the receiving CPU)} of a snapshot."""
    counts = {}
    with open(os.path.join(out, f"insns-{tag}.txt")) as f:
        for line in f:
            pc, n, execs, mem, *cpus = line.split()
            counts[(int(pc, 16), int(n))] = (int(execs), int(mem),
                                            int(cpus[RX_CPU]))
    return counts


def symbol(pc):
    if pc < 1 << 63:
        return "(user space)"
    i = bisect.bisect_right(addrs, pc) - 1
    return syms[i][1] if i >= 0 else "(unknown)"


def profile(tag, frames):
    """{function: [instructions, memory accesses, instructions on the
    receiving CPU]} per frame of a run: the long flood (snapshots 1 to 2)
    less the short one (0 to 1)."""
    s0, s1, s2 = load(tag + "-0"), load(tag + "-1"), load(tag + "-2")
    per = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for key, v2 in s2.items():
        v1 = s1.get(key, (0, 0, 0))
        v0 = s0.get(key, (0, 0, 0))
        d = [(c2 - c1) - (c1 - c0) for c0, c1, c2 in zip(v0, v1, v2)]
        if any(d):
            p = per[symbol(key[0])]
            p[0] += d[0] * key[1] / frames
            p[1] += d[1] / frames
            # The receiving CPU's kernel work: a spinner keeps it busy
            # in user space between frames (insns-guest.sh).
            if key[0] >= 1 << 63:
                p[2] += d[2] * key[1] / frames
    return per


runs = collections.defaultdict(list)     # (flavour, path) -> [profile]
rxruns = collections.defaultdict(list)   # the same, receiving-CPU runs
short = []
order = []
with open(os.path.join(out, "insns-frames.txt")) as f:
    lines = [line.split() for line in f if line.strip()]
rxname = os.path.join(out, "insns-rxframes.txt")
if os.path.exists(rxname):
    with open(rxname) as f:
        lines += [line.split() + ["rx"] for line in f if line.strip()]
# A run whose path counted fewer frames than were sent lost some (or the
# snapshot came before they were through): its figures are left out.  More
# is the path's own traffic (a device's IPv6 or IGMP packets on the dummy
# device the kernel path counts on).
for flavour, path, rnd, sent0, counted0, sent1, counted1, *rx in lines:
    sent0, counted0 = int(sent0), int(counted0)
    sent1, counted1 = int(sent1), int(counted1)
    if flavour not in order:
        order.append(flavour)
    what = "receiving CPU " if rx else ""
    if counted0 < sent0 or counted1 < sent1:
        short.append(f"{flavour} {path} {what}round {rnd}: {counted0} of"
                     f" {sent0} and {counted1} of {sent1} frames counted,"
                     " run left out")
        continue
    tag = f"{flavour}-{path}-rx-{rnd}" if rx else f"{flavour}-{path}-{rnd}"
    (rxruns if rx else runs)[(flavour, path)].append(profile(tag,
                                                            sent1 - sent0))


def totals(p):
    return tuple(sum(v[i] for v in p.values()) for i in range(3))


paths = [p for p in ("bare", "grecap", "kernel")
         if any(k[1] == p for k in runs)]
print("# instructions (and memory accesses) the guest executed per frame,")
print("# all CPUs, sender included; median of the rounds and their spread")
head = f"{'':9}" + "".join(f"{p:>21}" for p in paths)
sub = f"{'flavour':9}" + "".join(f"{'insns':>8}{'spread':>7}{'mem':>6}"
                                 for p in paths)
if "bare" in paths and "grecap" in paths:
    head += f"{'grecap':>9}{'grecap':>9}"
    sub += f"{'x bare':>9}{'- bare':>9}"
if "kernel" in paths and "grecap" in paths:
    head += f"{'grecap':>9}"
    sub += f"{'x kernel':>9}"
print(head)
print(sub)


added = {}      # flavour -> grecap's instructions per frame beyond bare
for flavour in order:
    row = f"{flavour:9}"
    med = {}
    for path in paths:
        t = [totals(p) for p in runs.get((flavour, path), [])]
        if not t:
            row += f"{'-':>21}"
            continue
        ins = [x[0] for x in t]
        mem = [x[1] for x in t]
        med[path] = statistics.median(ins)
        spread = (max(ins) - min(ins)) / med[path] * 100
        mem = statistics.median(mem)
        row += f"{med[path]:8.0f}{spread:6.1f}%{mem:6.0f}"
    if "bare" in med and "grecap" in med:
        added[flavour] = med["grecap"] - med["bare"]
        row += f"{med['bare'] / med['grecap']:9.3f}{added[flavour]:9.0f}"
    if "kernel" in med and "grecap" in med:
        row += f"{med['kernel'] / med['grecap']:9.2f}"
    print(row)

    if not runs.get((flavour, "bare")) or not runs.get((flavour, "grecap")):
        continue
    a, b = runs[(flavour, "bare")][0], runs[(flavour, "grecap")][0]
    rows = []
    for name in set(a) | set(b):
        ia, ib = a.get(name, [0, 0]), b.get(name, [0, 0])
        rows.append((ib[0] - ia[0], name, ia[0], ib[0]))
    rows.sort(key=lambda r: -abs(r[0]))
    with open(os.path.join(out, f"insns-{flavour}.txt"), "w") as f:
        f.write(f"# {flavour}, first round counted: instructions per frame"
                " by function, grecap path - bare receive\n")
        f.write(f"{'grecap-bare':>11} {'bare':>8} {'grecap':>8}  function\n")
        for d, name, ia, ib in rows[:top]:
            f.write(f"{d:11.1f} {ia:8.1f} {ib:8.1f}  {name}\n")

# The receiving CPU alone (BENCH_RX=1).
print()
if rxruns:
    print(f"# instructions per frame on the receiving CPU (CPU {RX_CPU}: RPS on"
          " the link, frames apart; the sender on CPU 0); median of the"
          " rounds")
else:
    print("# the receiving CPU alone: not measured (BENCH_RX=1 measures it)")
head = f"{'flavour':9}" + "".join(f"{p:>8}{'spread':>7}" for p in paths)
if "bare" in paths and "grecap" in paths:
    head += f"{'grecap/bare':>13}{'grecap-bare':>13}"
if rxruns:
    print(head)
for flavour in order if rxruns else []:
    med = {}
    row = f"{flavour:9}"
    for path in paths:
        t = [totals(p)[2] for p in rxruns.get((flavour, path), [])]
        if not t:
            row += f"{'-':>15}"
            continue
        med[path] = statistics.median(t)
        row += f"{med[path]:8.0f}{(max(t) - min(t)) / med[path] * 100:6.1f}%"
    if "bare" in med and "grecap" in med:
        row += (f"{med['grecap'] / med['bare']:13.3f}"
                f"{med['grecap'] - med['bare']:13.0f}")
    print(row)

# Goals (issue: a per-frame instruction budget): grecap's added work per
# frame beyond bare receive, all CPUs, at most GOALS[flavour]; at least
# 12 times less than the kernel's own tunnel device and mirred add; the
# UDP encapsulations no more than TEB, the flavour they stand beside.
GOALS = {"teb": 300, "gre-ipv4": 300, "erspan2": 350, "erspan3": 350}
print()
for flavour in order:
    if flavour not in added:
        continue
    if flavour in GOALS:
        ok = added[flavour] <= GOALS[flavour]
        print(f"{'PASS' if ok else 'FAIL'}: {flavour} adds "
              f"{added[flavour]:.0f} instructions per frame beyond bare "
              f"receive (goal: at most {GOALS[flavour]})")
    elif flavour in ("vxlan", "geneve") and "teb" in added:
        ok = added[flavour] <= added["teb"]
        print(f"{'PASS' if ok else 'FAIL'}: {flavour} adds "
              f"{added[flavour]:.0f} instructions per frame beyond bare "
              f"receive, TEB {added['teb']:.0f}")
    k = [totals(p)[0] for p in runs.get((flavour, "kernel"), [])]
    b = [totals(p)[0] for p in runs.get((flavour, "bare"), [])]
    if k and b and added[flavour] > 0:
        times = (statistics.median(k) - statistics.median(b)) / added[flavour]
        print(f"{'PASS' if times >= 12 else 'FAIL'}: {flavour}: the kernel "
              f"path adds {times:.1f} times grecap's work (goal: at least 12)")

for s in short:
    print(f"# {s}")
sys.exit(1 if short else 0)
