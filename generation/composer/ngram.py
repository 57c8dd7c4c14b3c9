"""Variable-order context model: counts per context, blended from general to specific.

Each table has a list of context levels, most specific first (e.g. style + four previous
notes ... mode alone). A context's fields are packed into one 64-bit key, so a table is
three flat numpy arrays (sorted keys, per-key slices of symbols and counts): small on disk,
mmap-free to load, and looked up with one searchsorted call per step.

Probabilities blend the levels with Witten-Bell (PPM method C) escapes:
    P_k(x) = (c_k(x) + t_k * P_{k-1}(x)) / (n_k + t_k)
where n_k is the context's count and t_k the number of distinct symbols seen after it.
A context seen rarely, or followed by many different symbols, leans on the broader level.
Unseen contexts are skipped, which is the back-off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

LEVEL_BITS = 4
Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Layout:
    """Field names and bit widths of a table's keys, and which fields each level uses."""

    fields: tuple[str, ...]
    widths: tuple[int, ...]
    levels: tuple[tuple[str, ...], ...]  # most specific first

    def __post_init__(self) -> None:
        if sum(self.widths) + LEVEL_BITS > 64:
            raise ValueError("key does not fit in 64 bits")

    def shifts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        shift = 0
        for name, width in zip(self.fields, self.widths, strict=True):
            out[name] = shift
            shift += width
        return out

    def key(self, level: int, values: Mapping[str, int]) -> int:
        shifts = self.shifts()
        key = level << (64 - LEVEL_BITS)
        for name in self.levels[level]:
            key |= int(values[name]) << shifts[name]
        return key

    def keys(self, level: int, values: Mapping[str, Array]) -> npt.NDArray[np.uint64]:
        shifts = self.shifts()
        size = len(next(iter(values.values())))
        key = np.full(size, np.uint64(level) << np.uint64(64 - LEVEL_BITS), dtype=np.uint64)
        for name in self.levels[level]:
            key |= values[name].astype(np.uint64) << np.uint64(shifts[name])
        return key


@dataclass
class Table:
    layout: Layout
    vocab: int
    keys: npt.NDArray[np.uint64]
    offsets: npt.NDArray[np.int64]
    symbols: npt.NDArray[np.uint16]
    counts: npt.NDArray[np.uint32]

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}.keys": self.keys,
            f"{prefix}.offsets": self.offsets,
            f"{prefix}.symbols": self.symbols,
            f"{prefix}.counts": self.counts,
        }

    @classmethod
    def from_arrays(
        cls, layout: Layout, vocab: int, prefix: str, arrays: Mapping[str, np.ndarray]
    ) -> Table:
        return cls(
            layout=layout,
            vocab=vocab,
            keys=arrays[f"{prefix}.keys"],
            offsets=arrays[f"{prefix}.offsets"],
            symbols=arrays[f"{prefix}.symbols"],
            counts=arrays[f"{prefix}.counts"],
        )

    @property
    def contexts(self) -> int:
        return len(self.keys)

    def distribution(self, values: Mapping[str, int]) -> npt.NDArray[np.float64]:
        """Blended probability of every symbol given the context field values."""
        n_levels = len(self.layout.levels)
        wanted = np.array(
            [self.layout.key(level, values) for level in range(n_levels)], dtype=np.uint64
        )
        rows = np.searchsorted(self.keys, wanted)
        probs = np.full(self.vocab, 1.0 / self.vocab)
        seen_any = False
        for level in range(n_levels - 1, -1, -1):
            row = int(rows[level])
            if row >= len(self.keys) or self.keys[row] != wanted[level]:
                continue
            lo, hi = int(self.offsets[row]), int(self.offsets[row + 1])
            symbols, counts = self.symbols[lo:hi], self.counts[lo:hi]
            total, types = float(counts.sum()), float(hi - lo)
            if not seen_any:
                # The broadest level found is taken as it is: no uniform floor, so a bar
                # rhythm from another meter or a pitch never seen cannot be drawn.
                probs = np.zeros(self.vocab)
                probs[symbols] = counts / total
                seen_any = True
                continue
            probs = probs * types
            probs[symbols] += counts
            probs /= total + types
        return probs


def count_table(
    layout: Layout,
    vocab: int,
    values: Mapping[str, Array],
    symbols: Array,
    min_count: Sequence[int] | None = None,
) -> Table:
    """Count symbol-after-context for every level; drop contexts seen fewer than min_count."""
    all_keys: list[npt.NDArray[np.uint64]] = []
    all_symbols: list[Array] = []
    all_counts: list[Array] = []
    for level in range(len(layout.levels)):
        keys = layout.keys(level, values)
        order = np.lexsort((symbols, keys))
        keys_sorted, syms_sorted = keys[order], symbols[order]
        new = np.ones(len(keys_sorted), dtype=bool)
        new[1:] = (keys_sorted[1:] != keys_sorted[:-1]) | (syms_sorted[1:] != syms_sorted[:-1])
        starts = np.flatnonzero(new)
        pair_counts = np.diff(np.append(starts, len(keys_sorted)))
        pair_keys, pair_syms = keys_sorted[starts], syms_sorted[starts]
        threshold = min_count[level] if min_count else 1
        if threshold > 1:
            first = np.ones(len(pair_keys), dtype=bool)
            first[1:] = pair_keys[1:] != pair_keys[:-1]
            group = np.cumsum(first) - 1
            totals = np.bincount(group, weights=pair_counts)
            keep = totals[group] >= threshold
            pair_keys, pair_syms, pair_counts = pair_keys[keep], pair_syms[keep], pair_counts[keep]
        all_keys.append(pair_keys)
        all_symbols.append(pair_syms)
        all_counts.append(pair_counts)

    keys = np.concatenate(all_keys)
    syms = np.concatenate(all_symbols)
    counts = np.concatenate(all_counts)
    order = np.lexsort((syms, keys))
    keys, syms, counts = keys[order], syms[order], counts[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    return Table(
        layout=layout,
        vocab=vocab,
        keys=keys[starts].astype(np.uint64),
        offsets=np.append(starts, len(keys)).astype(np.int64),
        symbols=syms.astype(np.uint16),
        counts=counts.astype(np.uint32),
    )
