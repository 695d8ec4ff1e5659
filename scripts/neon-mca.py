#!/usr/bin/env python3
"""Static speed estimate of the NEON hot loops (scripts/neon-mca.sh drives this; docs/neon-estimates.md).

  neon-mca.py loops FILE.s SYMBOL [--pick RULE] [--out FILE]   list / extract the innermost loops of one function
  neon-mca.py table GCC.s CLANG.s OUTDIR MCA CPU...              extract every catalogued loop, run llvm-mca, print a table

A loop is the range from a label to a later branch back to it; innermost: no other such range inside.
Pick rules:
  kloop-warm     the GEMM k-loop of the blocked GEMM's steady state: among the loops with the most fmla and no
                 fdiv (the SwiGLU epilogue has fdiv), the one with the fewest prefetches (gemm_tile versions
                 its loop on b_cold and splits it at pf_n: a later tile on an L2-resident micro-panel)
  kloop-cold     the GEMV's k-loop: weight strips prefetched (b_cold), no next-micro-panel line (pldl2keep)
  main           the largest loop without prfm: map_unary's 4-vector step for in-cache arrays
  index:N        loop N of the listing
The extracted body has labels, directives and comments removed. llvm-mca runs it as straight-line code:
the final backward branch falls through to the top (one loop iteration per llvm-mca iteration) and every
forward branch inside is taken as not taken (the hot path here: exits and rare side blocks).
"""
import os
import re
import subprocess
import sys

BRANCH = re.compile(r"^\s*(b\.?(?:eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?|cbz|cbnz|tbz|tbnz)\s+(.*)$")
LABEL = re.compile(r"^(\.?L[\w$.]+):")


def function_lines(path, sym):
    out, inside = [], False
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not inside:
                if line.split("//")[0].strip() == sym + ":":
                    inside = True
                continue
            if re.match(r"^\s*\.size\s", line) or line.startswith(".Lfunc_end"):
                break
            out.append(line)
    if not inside:
        sys.exit(f"neon-mca: symbol {sym} not found in {path}")
    return out


def clean(line):
    return line.split("//")[0].rstrip()


def loops(lines):
    labels = {}
    for i, l in enumerate(lines):
        m = LABEL.match(clean(l))
        if m:
            labels[m.group(1)] = i
    found = []
    for j, l in enumerate(lines):
        m = BRANCH.match(clean(l))
        if not m:
            continue
        target = m.group(2).split(",")[-1].strip()
        if target in labels and labels[target] < j:
            found.append((labels[target], j))
    found = sorted(set(found))
    return [(a, b) for (a, b) in found if not any((c, d) != (a, b) and a <= c and d <= b for (c, d) in found)]


def body(lines, a, b):
    out = []
    for l in lines[a:b + 1]:
        c = clean(l).strip()
        if not c or LABEL.match(c) or c.startswith("."):
            continue
        out.append("\t" + c)
    return out


def stats(ins):
    def n(p, *_):
        return sum(1 for i in ins if re.match(p, i.strip(), re.I))
    # Loads as the load pipes see them: an ldp of two q registers is one instruction (N1: one L-pipe op).
    return {
        "insns": len(ins),
        "fmla": n(r"fml[as]\s"),
        "byelem": sum(1 for i in ins if re.match(r"\s*fml[as]\s", i) and re.search(r"\.s\[\d\]", i)),
        "loads": n(r"(ldr|ldp|ldur|ld1|ld1r|ld2|ld4)\s"),
        "ld1r": n(r"ld1r\s"),
        "prfm": n(r"prfm\s"),
        "pldl2": n(r"prfm\s+pldl2", ),
        "fdiv": n(r"fdiv\s"),
        "spill": sum(1 for i in ins if re.search(r"\[sp", i) and re.match(r"\s*(ld|st)", i)),
    }


def pick_loop(st, rule):
    idx = range(len(st))
    if rule in ("kloop-warm", "kloop-cold"):
        cand = [i for i in idx if st[i]["fmla"] > 0 and st[i]["fdiv"] == 0]
        top = max(st[i]["fmla"] for i in cand)
        cand = [i for i in cand if st[i]["fmla"] == top]
        if rule == "kloop-warm":  # fewest prefetches: a later tile on an L2-resident micro-panel
            return min(cand, key=lambda i: (st[i]["prfm"], st[i]["insns"]))
        # the GEMV: weight strips prefetched (b_cold), no next-micro-panel line (pldl2keep)
        return max(cand, key=lambda i: (st[i]["pldl2"] == 0, st[i]["prfm"], -st[i]["insns"]))
    if rule == "main":
        cand = [i for i in idx if st[i]["prfm"] == 0]
        return max(cand, key=lambda i: st[i]["insns"])
    if rule.startswith("index:"):
        return int(rule.split(":")[1])
    sys.exit(f"neon-mca: unknown pick rule {rule}")


def extract(path, sym, rule):
    lines = function_lines(path, sym)
    ls = loops(lines)
    bodies = [body(lines, a, b) for (a, b) in ls]
    st = [stats(b) for b in bodies]
    if not bodies:
        sys.exit(f"neon-mca: no loop in {sym}")
    k = pick_loop(st, rule)
    return bodies[k], st[k], st


def mca(mca_bin, cpu, asm_path, iterations=1000):
    r = subprocess.run([mca_bin, "-mtriple=aarch64", f"-mcpu={cpu}", f"-iterations={iterations}", asm_path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"neon-mca: {mca_bin} -mcpu={cpu} {asm_path} failed:\n{r.stderr}")
    out = r.stdout
    it = int(re.search(r"^Iterations:\s+(\d+)", out, re.M).group(1))
    cyc = int(re.search(r"^Total Cycles:\s+(\d+)", out, re.M).group(1))
    rthr = float(re.search(r"^Block RThroughput:\s+([\d.]+)", out, re.M).group(1))
    # resource names, then the per-iteration pressure row
    names = dict(re.findall(r"^\[([\d.]+)\]\s+-\s+(\S+)", out, re.M))
    m = re.search(r"^Resource pressure per iteration:\n(.*)\n(.*)\n", out, re.M)
    ids = re.findall(r"\[([\d.]+)\]", m.group(1))
    vals = m.group(2).split()
    press = {}
    for i, v in zip(ids, vals):
        if v == "-":
            continue
        unit = names.get(i, names.get(i.split(".")[0], i))
        group = sum(1 for j in ids if names.get(j, j) == unit) or 1
        press.setdefault(unit, [0.0, group])
        press[unit][0] += float(v)
    # per-unit pressure: cycles the busiest single unit of each kind is occupied per iteration
    per_unit = {u: s / g for u, (s, g) in press.items()}
    top = max(per_unit.items(), key=lambda kv: kv[1]) if per_unit else ("-", 0.0)
    with open(asm_path.replace(".s", f".{cpu}.mca.txt"), "w") as f:
        f.write(out)
    return cyc / it, rthr, top, per_unit


# name, symbol per compiler, pick rule, kind, elements (GEMM: columns x rows per iteration; elementwise: floats)
def catalog():
    tile = "_ZN6swiglu4neon9gemm_tileINS0_1VELi{r}ELNS_5WTypeE{t}EEEvRKNS_8TileArgsE"
    gcc_unary = "_ZN6swiglu4neon11unary_entryINS0_1VELi{a}EEEvPKfPfmRKNS_9ActParamsENS_5StoreE"
    clang_map = "_ZN6swiglu4neon9map_unaryINS0_1VENS0_{k}EEvPKfPfmRKT0_NS_5StoreE"
    rows = []
    for r in (6, 1):
        for t, tn in ((0, "f32"), (1, "bf16"), (2, "f16")):
            s = tile.format(r=r, t=t)
            rows.append((f"gemm_tile R={r} {tn}", {"gcc": s, "clang": s}, "kloop-warm" if r > 1 else "kloop-cold", "gemm", r))
    # GCC inlines the beta = 1 and beta = 0 silu kernels into unary_entry (the general one is a call);
    # Clang keeps map_unary<V, Kernel> out of line.
    rows.append(("silu (beta = 1)", {"gcc": gcc_unary.format(a=5), "clang": clang_map.format(k="10SiluKernelIS2_Li0EEE")}, "main", "elem", 16))
    rows.append(("gelu (erf)", {"gcc": gcc_unary.format(a=6), "clang": clang_map.format(k="10ActivationIS2_Li6EEE")}, "main", "elem", 16))
    rows.append(("geluTanh", {"gcc": gcc_unary.format(a=7), "clang": clang_map.format(k="10ActivationIS2_Li7EEE")}, "main", "elem", 16))
    return rows


# FP/ASIMD pipes that execute fmla, per CPU (the FMA bound: fmla / pipes cycles per iteration).
FMA_PIPES = {"neoverse-n1": 2, "neoverse-v1": 4, "apple-m1": 4, "cortex-a72": 2, "cortex-a76": 2}


def table(gcc_s, clang_s, outdir, mca_bin, cpus):
    """GEMM rows: cycles per k step of the whole 32-column panel (both passes; the loop may hold two k
    steps: llvm-mca's cycles per iteration x R*8 / fmla per iteration) against R*8 fmla / FMA pipes.
    Elementwise rows: cycles per float (iteration = 4 vectors = 16 floats) against fmla+fmls / pipes / 16."""
    os.makedirs(outdir, exist_ok=True)
    hdr = ["loop", "cc", "insns/it", "fmla/it (by elem)", "loads/it", "ld1r", "sp ld/st"]
    for c in cpus:
        hdr += [f"{c} cyc/it", f"{c} per k or elt", f"{c} FMA bound", f"{c} bottleneck"]
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---|" * len(hdr))
    for name, syms, rule, kind, n in catalog():
        for cc, path in (("gcc", gcc_s), ("clang", clang_s)):
            if not path:
                continue
            ins, st, _ = extract(path, syms[cc], rule)
            tag = re.sub(r"[^\w]+", "_", f"{name}_{cc}").strip("_")
            asm = os.path.join(outdir, tag + ".s")
            with open(asm, "w") as f:
                f.write("\n".join(ins) + "\n")
            row = [name, cc, str(st["insns"]), f"{st['fmla']} ({st['byelem']})", str(st["loads"]), str(st["ld1r"]), str(st["spill"])]
            for c in cpus:
                cyc, rthr, (unit, p), _ = mca(mca_bin, c, asm)
                pipes = FMA_PIPES.get(c, 2)
                # No unit busy for the cycles the loop takes: a dependency chain (loop-carried latency) binds.
                if cyc > 1.1 * p:
                    unit, p = "latency", cyc
                if kind == "gemm":
                    per_k = n * 8  # fmla per k step of the 32-column panel (4-lane vectors)
                    row += [f"{cyc:.2f}", f"{cyc * per_k / st['fmla']:.2f}", f"{per_k / pipes:.1f}", f"{unit} {p:.1f}"]
                else:
                    row += [f"{cyc:.2f}", f"{cyc / n:.2f}", f"{st['fmla'] / pipes / n:.2f}", f"{unit} {p:.1f}"]
            print("| " + " | ".join(row) + " |")
            sys.stdout.flush()


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "loops":
        path, sym = a[1], a[2]
        rule, out = None, None
        rest = a[3:]
        while rest:
            x = rest.pop(0)
            if x == "--pick":
                rule = rest.pop(0)
            elif x == "--out":
                out = rest.pop(0)
        lines = function_lines(path, sym)
        ls = loops(lines)
        bodies = [body(lines, p, q) for (p, q) in ls]
        for k, b in enumerate(bodies):
            print(k, " ".join(f"{key}={val}" for key, val in stats(b).items()), file=sys.stderr)
        if rule:
            ins, st, _ = extract(path, sym, rule)
            text = "\n".join(ins) + "\n"
            if out:
                with open(out, "w") as f:
                    f.write(text)
            else:
                sys.stdout.write(text)
    elif a[0] == "table":
        table(a[1] if a[1] != "-" else None, a[2] if a[2] != "-" else None, a[3], a[4], a[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
