"""90 % intervals for the values a scenario is estimated from: pure Python, no numpy or scipy.

See docs/simulation.md, "A scenario from the corporation's data".

- `wilson(k, n)`: Wilson's score interval for a share k of n (Wilson 1927). Unlike k/n ± z·se it stays within
  [0, 1] and is not empty when k is 0 or n: 0 of 20 gives [0, 0.119], not [0, 0].
- `garwood(count, exposure)`: the exact interval for a Poisson rate (Garwood 1936), from quantiles of the gamma
  distribution: [G⁻¹(0.05; count), G⁻¹(0.95; count + 1)] / exposure. The count may be fractional (a count with
  pseudo-counts added, as the shrunk turnover has); 0 gives a lower bound of 0.

Both are two-sided with 5 % on each side. `gamma_quantile` inverts the regularised lower incomplete gamma
function P(s, x) (series and continued fraction as in Numerical Recipes, 6.2) by safeguarded Newton steps.
"""

from __future__ import annotations

import math

LEVEL = 0.90
Z = 1.6448536269514722  # the standard normal's 95th percentile: 5 % in each tail


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval for k successes in n trials (n > 0; ValueError otherwise)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, not k={k}, n={n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # At k = 0 or k = n the bound is the share itself; say so exactly rather than within rounding.
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def garwood(count: float, exposure: float = 1.0, level: float = LEVEL) -> tuple[float, float]:
    """The exact Poisson interval for the rate behind `count` events in `exposure` (e.g. household-years)."""
    if exposure <= 0 or count < 0:
        raise ValueError(f"need count >= 0 and exposure > 0, not count={count}, exposure={exposure}")
    tail = (1 - level) / 2
    low = gamma_quantile(tail, count) if count > 0 else 0.0
    return low / exposure, gamma_quantile(1 - tail, count + 1) / exposure


def gamma_p(s: float, x: float) -> float:
    """The regularised lower incomplete gamma function P(s, x) for s > 0, x >= 0."""
    if x <= 0:
        return 0.0
    log_front = -x + s * math.log(x) - math.lgamma(s)
    if x < s + 1:
        # Series: P = e^-x x^s / Γ(s) · Σ x^n / (s (s+1) ... (s+n)).
        term = total = 1.0 / s
        a = s
        for _ in range(10_000):
            a += 1
            term *= x / a
            total += term
            if abs(term) < abs(total) * 1e-16:
                break
        return min(1.0, total * math.exp(log_front))
    # Continued fraction for Q = 1 - P (modified Lentz).
    tiny = 1e-300
    b = x + 1 - s
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - s)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def gamma_quantile(p: float, s: float) -> float:
    """The x with P(s, x) = p (the p-quantile of a gamma distribution with shape s and scale 1).

    Newton's method from the Wilson-Hilferty approximation, kept inside a bracket that bisection narrows whenever
    a Newton step would leave it: a few evaluations of P even for shapes in the tens of thousands.
    """
    if not 0 < p < 1 or s <= 0:
        raise ValueError(f"need 0 < p < 1 and s > 0, not p={p}, s={s}")
    low, high = 0.0, max(1.0, 2 * s)
    while gamma_p(s, high) < p:
        low, high = high, high * 2
    z = _normal_quantile(p)
    x = s * (1 - 1 / (9 * s) + z / (3 * math.sqrt(s))) ** 3
    if not low < x < high:
        x = (low + high) / 2
    log_gamma = math.lgamma(s)
    for _ in range(500):
        error = gamma_p(s, x) - p
        if abs(error) < 1e-14:
            break
        if error < 0:
            low = x
        else:
            high = x
        if high - low <= 1e-14 * high:
            break
        density = math.exp((s - 1) * math.log(x) - x - log_gamma) if x > 0 else 0.0
        step = x - error / density if density > 0 else (low + high) / 2
        x = step if low < step < high else (low + high) / 2
    return x


def _normal_quantile(p: float) -> float:
    """The standard normal's p-quantile (Acklam's rational approximation, relative error below 1.2e-9)."""
    a = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02,
         -3.066479806614716e01, 2.506628277459239e00)
    b = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01,
         -1.328068155288572e01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00,
         4.374664141464968e00, 2.938163982698783e00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)
    if p < 0.02425:
        q = math.sqrt(-2 * math.log(p))
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / (
            (((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    if p > 1 - 0.02425:
        return -_normal_quantile(1 - p)
    q = p - 0.5
    r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (
        ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
