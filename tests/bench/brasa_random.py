"""Brasa's random streams (`crate/src/random.rs`) in NumPy, for the references that must
use Brasa's rows and folds: splitmix64's finaliser over uint64 arrays (the arithmetic
wraps like Rust's)."""

import numpy as np


def mix(z):
    """splitmix64's finaliser, element-wise."""
    with np.errstate(over="ignore"):
        z = np.asarray(z, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def unit(seed, stream, rows):
    """`random::unit(seed, stream, row)` for every row number in `rows`, in [0, 1)."""
    with np.errstate(over="ignore"):
        key = mix(np.uint64(seed) ^ (np.uint64(stream) * np.uint64(0xD1B54A32D192ED03)))
        h = mix(key ^ np.asarray(rows, dtype=np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53)


FOLDS_STREAM = 0


def folds(seed, num_folds, rows):
    """The fold of each row number, as the CrossValidator assigns them (`Stream::Folds`)."""
    return np.minimum((unit(seed, FOLDS_STREAM, rows) * num_folds).astype(np.int64), num_folds - 1)
