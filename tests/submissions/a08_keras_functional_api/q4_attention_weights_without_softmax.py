# expect: {"q4": "below_full"}
# ruff: noqa: F821  (a fragment: tf, np, layers come from the reference setup cell)
# The branch weights come from a linear Dense: they need not be positive or sum to 1.
# %% [q4]
def multi_branch_block(x, filters: int, merge: str = "concat", dilation_rates=(1, 2, 4), name: str = "mb"):
    """Parallel dilated 3x3 convolutions merged into one tensor.

    Branch ``i``: ``{name}_branch{i}`` = Conv2D(filters, 3, padding="same", dilation_rate=d_i,
    relu). Merge, as ``{name}_merge``: ``"concat"`` (Concatenate, channels last), ``"add"``,
    ``"max"`` (Maximum), ``"avg"`` (Average); or ``"attention"``: each branch is pooled
    (GlobalAveragePooling2D), the pooled vectors are concatenated in branch order and
    ``{name}_branch_weights`` = Dense(len(dilation_rates), softmax) gives one weight per branch
    and example; the output is the weighted sum of the branches.
    """
    branches = [layers.Conv2D(filters, 3, padding="same", dilation_rate=d, activation="relu",
                              name=f"{name}_branch{i}")(x) for i, d in enumerate(dilation_rates)]
    simple = {"concat": layers.Concatenate, "add": layers.Add, "max": layers.Maximum, "avg": layers.Average}
    if merge in simple:
        return simple[merge](name=f"{name}_merge")(branches)
    if merge != "attention":
        raise ValueError(f"unknown merge {merge!r}")
    pooled = [layers.GlobalAveragePooling2D()(b) for b in branches]
    weights = layers.Dense(len(branches), name=f"{name}_branch_weights")(
        layers.Concatenate()(pooled))
    stacked = tf.stack(branches, axis=-1)
    return tf.reduce_sum(stacked * weights[:, None, None, None, :], axis=-1, name=f"{name}_merge")
