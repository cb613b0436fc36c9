# expect: {"q5": "below_full"}
# ruff: noqa: F821, F841, B007, E501  (a fragment: tf, np, scipy, ... come from the reference setup cell)
# The commit is not signed off (no DCO line) and its subject is not Conventional.
# %% [q5]
def make_contribution(repo_dir):
    """Resolve minitfkit's issue #12 in the git repository at repo_dir (a clean copy of the base commit).

    Follow CONTRIBUTING.md: write the feature, its tests and the changelog entry, commit once (Conventional
    Commits subject, signed off), and return the patch: the text of `git format-patch -1 --stdout`.
    """
    files = {
        "minitfkit/encodings.py": '''# SPDX-License-Identifier: Apache-2.0
"""Position encodings."""

import numpy as np


def sinusoidal_position_encoding(length, depth, base=10000.0):
    """Sinusoidal position encoding (Vaswani et al., 2017): float32, shape (length, depth).

    >>> sinusoidal_position_encoding(2, 4).shape
    (2, 4)
    """
    if depth <= 0 or depth % 2 or length < 0:
        raise ValueError("depth must be positive and even, length non-negative")
    positions = np.arange(length, dtype=np.float64)[:, None]
    rates = base ** (-np.arange(0, depth, 2, dtype=np.float64) / depth)
    angles = positions * rates[None, :]
    out = np.empty((length, depth), dtype=np.float64)
    out[:, 0::2] = np.sin(angles)
    out[:, 1::2] = np.cos(angles)
    return out.astype(np.float32)
''',
        "tests/test_encodings.py": '''# SPDX-License-Identifier: Apache-2.0
import numpy as np
import pytest

from minitfkit import sinusoidal_position_encoding


def test_values_match_the_paper():
    pe = sinusoidal_position_encoding(5, 6)
    assert pe.shape == (5, 6) and pe.dtype == np.float32
    p, i = 3, 1
    angle = p / 10000.0 ** (2 * i / 6)
    assert pe[p, 2 * i] == pytest.approx(np.sin(angle), abs=1e-6)
    assert pe[p, 2 * i + 1] == pytest.approx(np.cos(angle), abs=1e-6)
    assert np.allclose(pe[0], np.tile([0.0, 1.0], 3))


def test_rejects_odd_depth():
    with pytest.raises(ValueError):
        sinusoidal_position_encoding(4, 5)
''',
    }
    for rel, text in files.items():
        with open(os.path.join(repo_dir, rel), "w") as f:
            f.write(text)
    init = os.path.join(repo_dir, "minitfkit", "__init__.py")
    with open(init) as f:
        source = f.read()
    source = source.replace("from minitfkit.schedules import cosine_decay\n",
                            "from minitfkit.encodings import sinusoidal_position_encoding\n"
                            "from minitfkit.schedules import cosine_decay\n")
    source = source.replace('__all__ = ["cosine_decay"]', '__all__ = ["cosine_decay", "sinusoidal_position_encoding"]')
    with open(init, "w") as f:
        f.write(source)
    changelog = os.path.join(repo_dir, "CHANGELOG.md")
    with open(changelog) as f:
        text = f.read()
    text = text.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n"
                        "- `sinusoidal_position_encoding` (issue #12).\n", 1)
    with open(changelog, "w") as f:
        f.write(text)
    env = {"GIT_AUTHOR_NAME": "A Student", "GIT_AUTHOR_EMAIL": "student@example.invalid",
           "GIT_COMMITTER_NAME": "A Student", "GIT_COMMITTER_EMAIL": "student@example.invalid"}
    git(repo_dir, "add", "-A")
    git(repo_dir, "commit", "-q", "-m", "Added sinusoidal_position_encoding",
        "-m", "Closes #12.", env=env)
    return git(repo_dir, "format-patch", "-1", "--stdout")
