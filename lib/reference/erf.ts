// erfc in float64 for the reference implementations. JavaScript has no erf; this one is written
// for accuracy (relative error ~1e-15 over the whole range), not speed. Three regimes:
//   |z| < 0.5   erfc = 1 − erf, erf from its Maclaurin series (no cancellation: erfc ≥ 0.47)
//   0.5 ≤ z < 3 erf from the all-positive series 2/√π·e^(−z²)·Σ 2ⁿz^(2n+1)/(2n+1)!!, erfc = 1 − erf
//               (erfc ≥ 2e-5 here, so the subtraction loses at most 5 of 16 digits)
//   z ≥ 3       the Laplace continued fraction, evaluated bottom-up
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

function erfSeries(z: number): number {
  // erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n! (2n+1))
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 60; n++) {
    term *= -z2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-18 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

function erfPositiveSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (2 * z2) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
}

function erfcContinuedFraction(z: number): number {
  // erfc(z) = e^(−z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + 2/(z + …)))))
  const depth = 20 + Math.ceil(400 / (z * z));
  let f = z;
  for (let n = depth; n >= 1; n--) f = z + n / 2 / f;
  return (Math.exp(-z * z) * ONE_OVER_SQRT_PI) / f;
}

/**
 * The complementary error function erfc(z) = 1 − erf(z), in float64 (series near 0, a continued fraction
 * in the tail, so that it keeps its relative accuracy down to the underflow); NaN gives NaN.
 * @param z The argument.
 * @returns erfc(z), in [0, 2].
 * @throws Never for a number: arithmetic only, nothing is checked.
 * @example
 * sg.reference.erfc(0); // 1
 * sg.reference.erfc(-Infinity); // 2
 */
export function erfc(z: number): number {
  if (Number.isNaN(z)) return z;
  if (z < 0) return 2 - erfc(-z);
  if (z < 0.5) return 1 - erfSeries(z);
  if (z < 3) return 1 - erfPositiveSeries(z);
  if (z > 27) return 0; // below the smallest double
  return erfcContinuedFraction(z);
}
