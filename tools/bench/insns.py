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
cost the same) and the kernel path's over grecap's.  Writes, per flavour,
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


def load(tag):
    counts = {}
    with open(os.path.join(out, f"insns-{tag}.txt")) as f:
        for line in f:
            pc, n, execs, mem = line.split()
            counts[(int(pc, 16), int(n))] = (int(execs), int(mem))
    return counts


def symbol(pc):
    if pc < 1 << 63:
        return "(user space)"
    i = bisect.bisect_right(addrs, pc) - 1
    return syms[i][1] if i >= 0 else "(unknown)"


def profile(tag, frames):
    """{function: [instructions, memory accesses]} per frame of a run:
    the long flood (snapshots 1 to 2) less the short one (0 to 1)."""
    s0, s1, s2 = load(tag + "-0"), load(tag + "-1"), load(tag + "-2")
    per = collections.defaultdict(lambda: [0.0, 0.0])
    for key, (e2, m2) in s2.items():
        e1, m1 = s1.get(key, (0, 0))
        e0, m0 = s0.get(key, (0, 0))
        execs = (e2 - e1) - (e1 - e0)
        mem = (m2 - m1) - (m1 - m0)
        if execs or mem:
            per[symbol(key[0])][0] += execs * key[1] / frames
            per[symbol(key[0])][1] += mem / frames
    return per


runs = collections.defaultdict(list)     # (flavour, path) -> [profile]
short = []
order = []
with open(os.path.join(out, "insns-frames.txt")) as f:
    lines = [line.split() for line in f if line.strip()]
# A run whose path counted fewer frames than were sent lost some (or the
# snapshot came before they were through): its figures are left out.  More
# is the path's own traffic (a device's IPv6 or IGMP packets on the dummy
# device the kernel path counts on).
for flavour, path, rnd, sent0, counted0, sent1, counted1 in lines:
    sent0, counted0 = int(sent0), int(counted0)
    sent1, counted1 = int(sent1), int(counted1)
    if flavour not in order:
        order.append(flavour)
    if counted0 < sent0 or counted1 < sent1:
        short.append(f"{flavour} {path} round {rnd}: {counted0} of {sent0}"
                     f" and {counted1} of {sent1} frames counted,"
                     " run left out")
        continue
    runs[(flavour, path)].append(profile(f"{flavour}-{path}-{rnd}",
                                         sent1 - sent0))


def totals(p):
    return (sum(v[0] for v in p.values()), sum(v[1] for v in p.values()))


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

# The UDP encapsulations' goal: no more added work per frame than TEB's
# (Ethernet in GRE, the flavour they stand beside).
if "teb" in added:
    for flavour in ("vxlan", "geneve"):
        if flavour in added:
            ok = added[flavour] <= added["teb"]
            print(f"{'PASS' if ok else 'FAIL'}: {flavour} adds "
                  f"{added[flavour]:.0f} instructions per frame beyond bare "
                  f"receive, TEB {added['teb']:.0f}")

for s in short:
    print(f"# {s}")
sys.exit(1 if short else 0)
