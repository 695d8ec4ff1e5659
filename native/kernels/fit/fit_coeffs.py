#!/usr/bin/env python3
"""Fits the polynomial coefficients used by native/kernels/math.h (dev time only; needs numpy + mpmath).

Method: weighted minimax by Lawson's iteratively-reweighted least squares on a dense grid (Chebyshev-
clustered towards the ends), with the weight chosen so the error minimised is the RELATIVE error of the
final function value (not of the polynomial alone). Then the coefficients are rounded to float32 one at a
time, lowest degree first, refitting the remaining ones after each rounding, so the float32 set keeps
(almost) the minimax error of the exact set. Prints C++ initialisers and the achieved max errors.

Run:  python3 native/kernels/fit/fit_coeffs.py > native/kernels/fit/coeffs.txt
"""
import struct

import numpy as np
import mpmath as mp

mp.mp.dps = 40


def grid(a, b, n=6000):
    t = np.cos(np.linspace(np.pi, 0, n))
    return 0.5 * (a + b) + 0.5 * (b - a) * t


def lawson(V, target, scale, iters=60):
    """min_c max |(V c - target) / scale| via Lawson IRLS."""
    w = np.ones(len(target))
    for _ in range(iters):
        sw = np.sqrt(w) / scale
        c = np.linalg.lstsq(V * sw[:, None], target * sw, rcond=None)[0]
        e = np.abs(V @ c - target) / scale
        w = w * e
        w /= w.sum()
        w += 1e-18
    return c


def fit_rounded(x, target, scale, deg):
    """Fit degree-deg polynomial in x, round coefficients to float32 one by one (refitting the rest)."""
    fixed = []
    resid = target.copy()
    for k in range(deg + 1):
        V = np.vander(x, deg + 1, increasing=True)[:, k:]
        c = lawson(V, resid, scale)
        ck = float(np.float32(c[0]))
        fixed.append(ck)
        resid = resid - ck * x**k
    c = np.array(fixed)
    err = np.abs(np.vander(x, deg + 1, increasing=True) @ c - target) / scale
    return c, err.max()


def emit(name, c, err):
    body = ", ".join(float(np.float32(v)).hex() + "f" for v in c)
    print(f"// {name}: max rel error (exact arithmetic, float32 coefficients) = 2^{np.log2(err):.2f}")
    print(f"static constexpr float {name}[{len(c)}] = {{{body}}};")


# 1. exp: e^r = 1 + r + r^2 q(r), |r| <= ln2/2 (+ margin for the rounded n). Error is relative to e^r.
r = grid(-0.3466 * 1.001, 0.3466 * 1.001)
r = r[np.abs(r) > 1e-6]
ex = np.array([float(mp.exp(mp.mpf(v))) for v in r])
qt = np.array([float((mp.exp(mp.mpf(v)) - 1 - mp.mpf(v)) / mp.mpf(v) ** 2) for v in r])
# error in q times r^2 relative to e^r
c, e = fit_rounded(r, qt, ex / r**2, 4)
emit("kExpQ", c, e)

# 1b. exp in base 2 (exponents a constant times x, with log2(e) folded into the constant):
#     2^f = 1 + ln2 f + f^2 Q(f), |f| <= 1/2 (+ margin for the low part). ln2 exact in the target; the kernel
#     multiplies by ln2 rounded to float (2^-28.4 relative, below the fit). Error relative to 2^f.
ln2 = mp.log(2)
f = grid(-0.5 * 1.001, 0.5 * 1.001)
f = f[np.abs(f) > 1e-6]
e2 = np.array([float(mp.power(2, mp.mpf(v))) for v in f])
Qt = np.array([float((mp.power(2, mp.mpf(v)) - 1 - ln2 * mp.mpf(v)) / mp.mpf(v) ** 2) for v in f])
c, e = fit_rounded(f, Qt, e2 / f**2, 4)
emit("kExp2Q", c, e)

# 2. log1p for softplus: log1p(E) = E + E^2 P(E), E = e^-|z| in [0, 1], straight in E (no mantissa
#    reduction: log1p's singularity at E = -1 is far enough). Error relative to log1p(E). The kernel uses
#    degree 7 (2^-24.8: softplus's full sweep 2.26 ulp, bar 4), one fma fewer than degree 8 (2^-27.5,
#    1.91 ulp); degree 6 (2^-22.1) would spend the whole bar on the fit.
E = grid(1e-7, 1.0 + 1e-6)
lf = np.array([float(mp.log1p(mp.mpf(v))) for v in E])
Pt = np.array([float((mp.log1p(mp.mpf(v)) - mp.mpf(v)) / mp.mpf(v) ** 2) for v in E])
for deg in (7, 8):
    c, e = fit_rounded(E, Pt, np.abs(lf) / E**2, deg)
    emit(f"kLog1pE{deg}", c, e)

# 3. erfc tail for gelu: G(a) = erfcx(a/sqrt2) = e^(a^2/2) erfc(a/sqrt2), a = |x| in [0, 14.5].
#    G(a) = H(Z) / (L + a) with Z = (L - a)/(L + a) = 1 - 2Y, Y = a/(L + a): a rational form in a with a
#    single division, smooth on the whole half line (after Weideman's erfc expansion in Z). The kernel forms
#    Y (then a G(a) = Y H(Z), what gelu needs) and Z = 1 - 2Y. In Z the coefficients decrease quickly
#    (Horner is stable); in Y they alternate up to 4 and Horner loses ~2 ulp at Y ~ 0.7.
#    H(Z=0) = 2L G(L) is the constant coefficient, and at Z = 0 no other term can absorb its float32
#    rounding: pick L (a float32 near 3.75) where 2L G(L) is within 2^-37 of a float32. The kernel uses
#    degree 8; its float32 fit depends on L (3.9: 2^-23.6, 3.7: 2^-25.2, 3.75: 2^-25.9, best of 3.55..4.0).
def h0_rel(Lf):
    h = 2 * mp.mpf(Lf) * mp.erfc(mp.mpf(Lf) / mp.sqrt(2)) * mp.exp(mp.mpf(Lf) ** 2 / 2)
    return abs(float((h - float(np.float32(float(h)))) / h))
L_CENTER = float(__import__("os").environ.get("ERFCX_L", "3.75"))
L = min((float(np.float32(L_CENTER) + np.float32(k) * np.float32(2.0**-22)) for k in range(-3000, 3000)), key=h0_rel)
print(f"// erfcx split point L = {float(np.float32(L)).hex()}f = {L!r} (H(0) rounding 2^{np.log2(h0_rel(L)):.1f})")
a = np.linspace(0.0, 14.5, 6000)
G = np.array([float(mp.erfc(mp.mpf(v) / mp.sqrt(2)) * mp.exp(mp.mpf(v) ** 2 / 2)) for v in a])
Z = (L - a) / (L + a)
H = G * (L + a)
for deg in (8, 9):
    c, e = fit_rounded(Z, H, np.abs(H), deg)
    emit(f"kErfcxH{deg}", c, e)

# 3b. The same G(a) piecewise, for vector layers with a cheap 16-entry table lookup (math_erfc.h, V::kLookup16):
#     16 intervals indexed by the exponent and the top two mantissa bits of b = a + 1 (four binades of b
#     in [1, 16), four intervals each: a in [0, 1) by 1/4, [1, 3) by 1/2, [3, 7) by 1, [7, 15) by 2), the
#     table slot being (bits(b) >> 21) mod 16. On each, G(a) = P(a - t) with P of degree 6 and t a float
#     near the middle where G(t) is a float to ~2^-35: P's constant term, which no other term corrects at
#     a = t, then costs no rounding. Each interval is fitted 2^-21 b past its ends (a + 1 rounds to the
#     next interval near an edge). Error relative to G.


def next_float(x, k):
    i = struct.unpack("<i", struct.pack("<f", x))[0]
    return struct.unpack("<f", struct.pack("<i", i + k))[0]


def erfcx_scaled(v):
    return mp.exp(mp.mpf(v) ** 2 / 2) * mp.erfc(mp.mpf(v) / mp.sqrt(2))


PW_DEG = 6
pw_t = [0.0] * 16
pw_c = [[0.0] * 16 for _ in range(PW_DEG + 1)]
pw_worst = 0.0
for slot in range(16):
    e = {12: 0, 0: 1, 4: 2, 8: 3}[slot & 12]  # b's exponent: (127 + e) mod 4 = slot >> 2
    j = slot & 3
    lo = 2.0**e * (1 + j / 4) - 1
    hi = 2.0**e * (1 + (j + 1) / 4) - 1
    mid = float(np.float32(0.5 * (lo + hi)))

    def c0_rel(t):
        g = erfcx_scaled(t)
        return abs(float((g - mp.mpf(float(np.float32(float(g))))) / g))

    t = min((next_float(mid, k) for k in range(-3000, 3001)), key=c0_rel)
    ext = 2.0 ** (e - 21)
    x = grid(max(lo - ext, 0.0), hi + ext, 500)
    g = np.array([float(erfcx_scaled(v)) for v in x])
    u = x - t
    V = np.vander(u, PW_DEG + 1, increasing=True)
    coef = [float(np.float32(float(erfcx_scaled(t))))]
    resid = g - coef[0]
    for k in range(1, PW_DEG + 1):
        ck = float(np.float32(lawson(V[:, k:], resid, g)[0]))
        coef.append(ck)
        resid = resid - ck * u**k
    pw_worst = max(pw_worst, (np.abs(V @ np.array(coef) - g) / g).max())
    pw_t[slot] = t
    for k in range(PW_DEG + 1):
        pw_c[k][slot] = coef[k]
print(f"// kGaussPw: G(a) on 16 intervals, degree {PW_DEG}: max rel error (exact arithmetic, float32 coefficients) = 2^{np.log2(pw_worst):.2f}")
print("static constexpr float kGaussPwT[16] = {" + ", ".join(float(v).hex() + "f" for v in pw_t) + "};")
print(f"static constexpr float kGaussPwC[{PW_DEG + 1}][16] = {{")
for k in range(PW_DEG + 1):
    print("    {" + ", ".join(float(v).hex() + "f" for v in pw_c[k]) + "},")
print("};")
