# expect: {"q4": "below_full"}
# ruff: noqa: F821, F401, F841, B007  (a fragment: tf, np, ... come from the reference setup cell)
# The leaderboard never advances its submission counter, so tied teams keep the order in which they joined
# the board instead of the order in which they reached the score.
# %% [q4]
def group_split(groups, test_fraction=0.2, salt="v1"):
    """Leak-free split by group: a row is in the test set when its group's hash falls below test_fraction.

    h = int(sha256((salt + str(group)).encode()).hexdigest()[:8], 16) / 2**32; test when h < test_fraction.
    Every row of a group lands on the same side, and a row keeps its side when rows are appended.
    Returns a bool array (True = test).
    """
    cache = {}
    out = np.zeros(len(groups), dtype=bool)
    for i, g in enumerate(groups):
        key = str(g)
        if key not in cache:
            digest = hashlib.sha256((salt + key).encode()).hexdigest()
            cache[key] = int(digest[:8], 16) / 2**32 < test_fraction
        out[i] = cache[key]
    return out


def temporal_split(times, cutoff, gap=0.0):
    """Train on the past, test on the future: (train_idx, test_idx), index arrays in ascending order.

    train = times < cutoff - gap and test = times >= cutoff (rows in the gap are dropped).
    """
    t = np.asarray(times)
    return np.flatnonzero(t < cutoff - gap), np.flatnonzero(t >= cutoff)


def fingerprint(x, y):
    """SHA-256 hex digest of a dataset: for x then y, the C-contiguous array's f"{dtype.str}{shape}" then its bytes."""
    h = hashlib.sha256()
    for a in (x, y):
        a = np.ascontiguousarray(a)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def bootstrap_ci(y_true, y_pred, n_boot=1000, level=0.95, seed=0):
    """Accuracy with a percentile-bootstrap confidence interval: (accuracy, low, high).

    Resample the rows with replacement n_boot times (np.random.default_rng(seed)), take the accuracy of each
    resample, and return the (1 - level) / 2 and (1 + level) / 2 quantiles.
    """
    correct = (np.asarray(y_true) == np.asarray(y_pred)).astype(np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(correct), size=(n_boot, len(correct)))
    stats = correct[idx].mean(axis=1)
    lo, hi = np.quantile(stats, [(1 - level) / 2, (1 + level) / 2])
    return float(correct.mean()), float(lo), float(hi)


class Leaderboard:
    """A benchmark server's leaderboard over hidden test labels.

    `submit(team, predictions)` -> {"accepted": bool, "score": accuracy or None, "rank": 1-based rank or None}:
    at most `max_per_day` accepted submissions per team per day (day = int(clock() // 86400)); a refused one is
    not scored. `standings()` -> [[team, best score], ...] sorted by best score (descending), ties by who reached
    it first. Nothing returned ever contains the labels.
    """

    def __init__(self, labels, max_per_day=3, clock=time.time):
        self._labels = np.asarray(labels)
        self.max_per_day = max_per_day
        self.clock = clock
        self._used = {}
        self._best = {}
        self._order = 0

    def submit(self, team, predictions):
        day = int(self.clock() // 86400)
        used = self._used.get((team, day), 0)
        if used >= self.max_per_day:
            return {"accepted": False, "score": None, "rank": None}
        self._used[(team, day)] = used + 1
        pred = np.asarray(predictions)
        if pred.shape != self._labels.shape:
            raise ValueError("predictions must have one entry per test example")
        score = float(np.mean(pred == self._labels))
        if team not in self._best or score > self._best[team][0]:
            self._best[team] = (score, self._order)
        rank = 1 + [t for t, _ in self.standings()].index(team)
        return {"accepted": True, "score": score, "rank": rank}

    def standings(self):
        items = sorted(self._best.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
        return [[team, best[0]] for team, best in items]


def detect_leakage(train_x, test_x, decimals=6):
    """Test rows that also occur in the training set, exactly or up to rounding.

    Returns every (train_index, test_index) pair whose rows are equal after np.round(..., decimals), sorted.
    Must not compare all pairs one by one (use hashing).
    """
    a = np.round(np.asarray(train_x, np.float64), decimals) + 0.0
    b = np.round(np.asarray(test_x, np.float64), decimals) + 0.0
    index = {}
    for i, row in enumerate(a):
        index.setdefault(row.tobytes(), []).append(i)
    pairs = [(i, j) for j, row in enumerate(b) for i in index.get(row.tobytes(), [])]
    return sorted(pairs)
