# expect: {"q5": "below_full"}
# ruff: noqa: F821, F401, F841, E501  (a fragment: tf, np, grpc, ... come from the reference setup cell)
# Bucketing with Python's hash(): salted per process by PYTHONHASHSEED, so users switch variants on every restart.
# %% [q5]
def assign_variant(user_id: str, experiment_id: str, allocation: dict) -> str:
    """Sticky, salted hash bucketing of a user into a variant.

    ``sha256(f"{experiment_id}:{user_id}")`` mapped to ``[0, 1)`` and matched against the cumulative allocation (in the
    dict's order). ``ValueError`` unless the shares are >= 0 and sum to 1 (1e-9).
    """
    shares = list(allocation.items())
    if not shares or any(p < 0 for _, p in shares) or abs(sum(p for _, p in shares) - 1.0) > 1e-9:
        raise ValueError("allocation shares must be non-negative and sum to 1")
    u = (hash(f"{experiment_id}:{user_id}") % 1_000_003) / 1_000_003
    cumulative = 0.0
    for variant, share in shares:
        cumulative += share
        if u < cumulative:
            return variant
    return shares[-1][0]


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def two_proportion_ztest(s1: int, n1: int, s2: int, n2: int) -> tuple:
    """Pooled two-proportion z-test of p1 = p2: ``(z, two-sided p)``, ``z = (p1 - p2) / se_pooled``."""
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se
    return z, 2 * normal_sf(abs(z))


def normal_ppf(q: float) -> float:
    """The standard normal quantile, by bisection on ``normal_sf`` (ample for confidence levels)."""
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 1 - normal_sf(mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def wilson_interval(s: int, n: int, conf: float = 0.95) -> tuple:
    """The Wilson score interval for a binomial proportion ``s / n``."""
    z = normal_ppf(1 - (1 - conf) / 2)
    p = s / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return centre - half, centre + half


def required_sample_size(p_base: float, mde_abs: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """Per-arm sample size of a two-sided test of ``p_base`` vs ``p_base + mde_abs``.

    With Cohen's effect size ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``:
    ``ceil(((z_{1-alpha/2} + z_{power}) / |h|)^2 * 2)``.
    """
    h = 2 * math.asin(math.sqrt(p_base + mde_abs)) - 2 * math.asin(math.sqrt(p_base))
    z_alpha = normal_ppf(1 - alpha / 2)
    z_power = normal_ppf(power)
    return int(math.ceil(2 * ((z_alpha + z_power) / abs(h)) ** 2))


def ucb1_run(rewards: np.ndarray) -> list:
    """UCB1 over ``rewards[arm, k]`` (the reward of the k-th pull of that arm), for ``rewards.shape[1]`` rounds.

    Rounds ``t = 1..T``: pull each arm once, in index order; then the arm maximizing
    ``mean_a + sqrt(2 ln(t - 1) / n_a)`` (``t - 1`` pulls so far; ties to the lowest index). Returns the pulled arms.
    """
    arms, rounds = rewards.shape
    counts = np.zeros(arms, np.int64)
    sums = np.zeros(arms)
    pulls = []
    for t in range(1, rounds + 1):
        if t <= arms:
            arm = t - 1
        else:
            scores = sums / counts + np.sqrt(2 * math.log(t - 1) / counts)
            arm = int(np.argmax(scores))
        sums[arm] += rewards[arm, counts[arm]]
        counts[arm] += 1
        pulls.append(arm)
    return pulls
