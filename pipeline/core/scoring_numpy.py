"""`Features` as numpy arrays: a block of scores as one float32 product, exact scores of
many pairs at once. Loaded only when many people are matched (see scoring.Features).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from pipeline.core.scoring import CATEGORIES, NOT_ALLOWED, Features, Profile

#: An attribute value gets its own column in the matrix product when it makes at least
#: (mentees x mentors / this) same-value pairs; rarer values are added pair by pair.
ONE_HOT_SHARE = 256
ONE_HOT_MAX = 64  # columns per attribute at most
JUNIOR = -(2.0**40)  # a column that makes the block score of a pair the experience rule forbids


class Arrays:
    """`Features` as arrays (numpy): codes, 0/1 item matrices and bit masks of both sides.

    `pairs` and `matrix` are exact: counts of shared items (integers, exact in any float)
    go through the formula of `Features.score`, part by part in its order, in float64. A
    block is one float32 product instead (see `_product`).
    """

    def __init__(self, f: Features) -> None:
        mentees, mentors, w = f.mentee_profiles, f.mentor_profiles, f.weights
        self.f, self.weights, self.gap = f, w, f.gap
        self.sets = {
            name: _Items([getattr(p, name) for p in mentees], [getattr(p, name) for p in mentors])
            for name in ("goals", "shifts", "languages")
        }
        self.codes = {name: _codes(mentees, mentors, name) for name in CATEGORIES}
        nan = float("nan")
        self.mentee_years = np.array([nan if p.years is None else p.years for p in mentees])
        self.mentor_years = np.array([nan if p.years is None else p.years for p in mentors])
        self.preferred = np.array([f.mentor_index.get(p.preferred, -1) for p in mentees])
        r = len(mentors)
        forbidden = [(i, f.mentor_index.get(p.key, -1)) for i, p in enumerate(mentees)]
        forbidden += [(i, f.mentor_index.get(p.manager, -1)) for i, p in enumerate(mentees)]
        forbidden += [(i, j) for rule in f.blocked.values() for i, js in rule.items() for j in js]
        keys = np.unique(np.array([i * r + j for i, j in forbidden if j >= 0], dtype=np.int64))
        self.forbid_ptr, self.forbid_col = _csr(keys, len(mentees), r)
        self.product: _Product | None = None

    def pairs(self, mentees: np.ndarray, mentors: np.ndarray) -> np.ndarray:
        mentees = np.asarray(mentees, dtype=np.int64)
        mentors = np.asarray(mentors, dtype=np.int64)

        def shared(name: str) -> np.ndarray:
            mine, theirs = self.sets[name].masks
            count: np.ndarray = _popcount(mine[mentees] & theirs[mentors]).sum(axis=1)
            return count

        def same(name: str) -> np.ndarray:
            mine, theirs = self.codes[name]
            equal: np.ndarray = mine[mentees] == theirs[mentors]
            return equal

        preferred = self.preferred[mentees] == mentors
        return self._score(shared, same, preferred, mentees, len(mentees))

    def matrix(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        count = len(self.mentor_years)

        def shared(name: str) -> np.ndarray:
            mine, theirs = self.sets[name].masks
            if mine.shape[1] == 1:
                return _popcount(mine[rows] & theirs[:, 0])
            count: np.ndarray = _popcount(mine[rows][:, None, :] & theirs[None, :, :])
            return count.sum(axis=2)  # type: ignore[no-any-return]

        def same(name: str) -> np.ndarray:
            mine, theirs = self.codes[name]
            equal: np.ndarray = mine[rows, None] == theirs[None, :]
            return equal

        preferred = self.preferred[rows, None] == np.arange(count)[None, :]
        score = self._score(shared, same, preferred, rows[:, None], (len(rows), count))
        junior = self.mentor_years[None, :] < (self.mentee_years[rows] + self.gap)[:, None]
        score[junior] = NOT_ALLOWED
        local, entry = _ranges(self.forbid_ptr, rows)
        score[local, self.forbid_col[entry]] = NOT_ALLOWED
        return score

    def _score(
        self,
        shared: Callable[[str], np.ndarray],
        same: Callable[[str], np.ndarray],
        preferred: np.ndarray,
        mentees: np.ndarray,
        shape: int | tuple[int, int],
    ) -> np.ndarray:
        """The parts of `Features.score`, added in its order (so that the sums are equal; a
        part of weight 0 adds exactly nothing)."""
        w = self.weights
        score = np.zeros(shape)
        for weight, name in (
            (w.goals, "goals"),
            (w.discipline, "discipline"),
            (w.team, "team"),
            (w.shifts, "shifts"),
            (w.location, "location"),
        ):
            if not weight:
                continue
            if name in self.codes:
                score += weight * same(name)
                continue
            listed = self.sets[name].counts[mentees]
            part = np.multiply(weight, shared(name), dtype=np.float64)
            score += np.divide(part, listed, out=part, where=listed > 0)
        if w.language:
            score += w.language * (shared("languages") > 0)
        if w.preference:
            score += w.preference * preferred
        return score

    def block(self, rows: np.ndarray) -> np.ndarray:
        self.product = self.product or _Product(self)
        return self.product.block(rows)


class _Items:
    """One set attribute (goals, shifts, languages) of both sides, over one item index."""

    def __init__(self, mine: Sequence[frozenset[str]], theirs: Sequence[frozenset[str]]) -> None:
        self.index = {item: n for n, item in enumerate(sorted(frozenset().union(*mine, *theirs)))}
        self.counts = np.array([len(items) for items in mine], dtype=np.int64)
        self.lists = mine, theirs

    @functools.cached_property
    def listed(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per side: (person, item) of every item a person lists."""
        return [
            (
                np.array([p for p, items in enumerate(lists) for _ in items], dtype=np.int64),
                np.array([self.index[i] for items in lists for i in items], dtype=np.int64),
            )
            for lists in self.lists
        ]

    @functools.cached_property
    def masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows of 64-bit words, one row per person: bit b set when they list item b."""
        words = max(1, -(-len(self.index) // 64))
        bit = {item: 1 << n for item, n in self.index.items()}
        seen: dict[frozenset[str], int] = {}  # people share sets: each is added up once
        result = []
        for lists in self.lists:
            for items in lists:
                if items not in seen:
                    seen[items] = sum(map(bit.__getitem__, items))
            if words == 1:
                masks = np.fromiter((seen[items] for items in lists), np.uint64, len(lists))
            else:
                split = [[seen[i] >> (64 * w) & (2**64 - 1) for w in range(words)] for i in lists]
                masks = np.array(split, dtype=np.uint64)
            result.append(masks.reshape(len(lists), words))
        return result[0], result[1]

    @property
    def incidence(self) -> tuple[np.ndarray, np.ndarray]:
        """0/1 float32 matrices: mentees x items, items x mentors."""
        (mp, mi), (tp, ti) = self.listed
        mine = np.zeros((len(self.lists[0]), len(self.index)), np.float32)
        mine[mp, mi] = 1
        theirs = np.zeros((len(self.index), len(self.lists[1])), np.float32)
        theirs[ti, tp] = 1
        return mine, theirs


class _Product:
    """Blocks as one float32 product, left[rows] @ right, plus pair-wise extras.

    A set part (goals, shifts) is the mentee's weighted share of each item times the
    mentor's items; a frequent value of an attribute, a mentee's set of languages and a
    mentee's years of experience (against the mentors too junior for them) each make a
    column. A rare value (one team) is added pair by pair, forbidden pairs set to NOT_ALLOWED.
    """

    def __init__(self, arrays: Arrays) -> None:
        f, w = arrays.f, arrays.weights
        mentees, mentors = f.mentee_profiles, f.mentor_profiles
        m, r = len(mentees), len(mentors)
        self.arrays = arrays
        left: list[np.ndarray] = []
        right: list[np.ndarray] = []
        extra: list[tuple[np.ndarray, np.ndarray, float]] = []  # mentees, mentors, points

        for weight, name in ((w.goals, "goals"), (w.shifts, "shifts")):
            items = arrays.sets[name]
            mine, theirs = items.incidence
            both = np.flatnonzero(mine.any(axis=0) & theirs.any(axis=1) & bool(weight))
            share = np.divide(weight, items.counts, out=np.zeros(m), where=items.counts > 0)
            left.extend((mine[:, both] * share[:, None]).T)
            right.extend(theirs[both])

        for weight, name in ((w.discipline, "discipline"), (w.team, "team")):
            _columns(*arrays.codes[name], weight, left, right, extra)
        _columns(*arrays.codes["location"], w.location, left, right, extra)

        groups: dict[frozenset[str], list[int]] = {}
        for i, p in enumerate(mentees):
            if p.languages:
                groups.setdefault(p.languages, []).append(i)
        self.languages = None
        if w.language and len(groups) <= ONE_HOT_MAX:
            for languages, members in groups.items():
                held = np.zeros(m)
                held[members] = w.language
                left.append(held)
                right.append(np.array([not languages.isdisjoint(p.languages) for p in mentors]))
        elif w.language:  # many different sets: a product that counts shared languages
            self.languages = arrays.sets["languages"].incidence

        years = arrays.mentee_years
        known = np.unique(years[~np.isnan(years)])
        self.junior_columns = len(known) <= ONE_HOT_MAX
        for value in known if self.junior_columns else ():
            # NaN compares False: the rule does not apply to an unknown number of years
            left.append(years == value)
            right.append((arrays.mentor_years < value + f.gap) * JUNIOR)

        chose = np.flatnonzero(arrays.preferred >= 0)
        if w.preference:
            extra.append((chose, arrays.preferred[chose], w.preference))

        self.left = np.zeros((m, len(left)), np.float32)
        for n, values in enumerate(left):
            self.left[:, n] = values
        self.right = np.zeros((len(right), r), np.float32)
        for n, values in enumerate(right):
            self.right[n] = values
        keys = np.concatenate([e[0] * r + e[1] for e in extra] + [np.zeros(0, np.int64)])
        points = np.concatenate([np.full(len(e[0]), e[2]) for e in extra] + [np.zeros(0)])
        keys, where = np.unique(keys, return_inverse=True)
        self.extra_points = np.bincount(where, points, len(keys)).astype(np.float32)
        self.extra_ptr, self.extra_col = _csr(keys, m, r)

    def block(self, rows: np.ndarray) -> np.ndarray:
        arrays = self.arrays
        rows = np.asarray(rows, dtype=np.int64)
        score: np.ndarray = self.left[rows] @ self.right
        if self.languages is not None:
            shared = self.languages[0][rows] @ self.languages[1]
            np.add(score, np.float32(arrays.weights.language), out=score, where=shared > 0)
        local, entry = _ranges(self.extra_ptr, rows)
        score[local, self.extra_col[entry]] += self.extra_points[entry]
        if not self.junior_columns:
            junior = (
                arrays.mentor_years[None, :] < (arrays.mentee_years[rows] + arrays.gap)[:, None]
            )
            np.putmask(score, junior, np.float32(NOT_ALLOWED))
        local, entry = _ranges(arrays.forbid_ptr, rows)
        score[local, arrays.forbid_col[entry]] = NOT_ALLOWED
        return score


def _codes(
    mentees: Sequence[Profile], mentors: Sequence[Profile], name: str
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of one attribute on both sides; an empty value is -1 for a mentee and
    -2 for a mentor, so that it never counts as the same."""
    index: dict[str, int] = {"": -1}
    mine = [index.setdefault(getattr(p, name), len(index)) for p in mentees]
    theirs = [index.setdefault(getattr(p, name), len(index)) for p in mentors]
    return np.array(mine, dtype=np.int64), np.array(
        [c if c >= 0 else -2 for c in theirs], dtype=np.int64
    )


def _columns(
    mine: np.ndarray,
    theirs: np.ndarray,
    weight: float,
    left: list[np.ndarray],
    right: list[np.ndarray],
    extra: list[tuple[np.ndarray, np.ndarray, float]],
) -> None:
    """An attribute's part of a block: a column per frequent shared value, extras for rare."""
    if not weight:
        return
    size = int(max(mine.max(initial=0), theirs.max(initial=0))) + 1
    pairs = np.bincount(mine[mine >= 0], minlength=size) * np.bincount(
        theirs[theirs >= 0], minlength=size
    )
    order = np.argsort(-pairs, kind="stable")
    wide = order[pairs[order] * ONE_HOT_SHARE >= max(len(mine) * len(theirs), 1)][:ONE_HOT_MAX]
    for code in wide:
        left.append((mine == code) * weight)
        right.append(theirs == code)
    rare = np.setdiff1d(np.flatnonzero(pairs), wide)
    by_code = np.argsort(theirs, kind="stable")
    starts = np.searchsorted(theirs[by_code], rare)
    ends = np.searchsorted(theirs[by_code], rare, side="right")
    for code, start, end in zip(rare, starts, ends, strict=True):
        rows, cols = np.flatnonzero(mine == code), by_code[start:end]
        extra.append((np.repeat(rows, len(cols)), np.tile(cols, len(rows)), weight))


def _popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per 64-bit word."""
    if hasattr(np, "bitwise_count"):  # numpy 2
        return np.bitwise_count(words)  # type: ignore[no-any-return]
    table = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)
    return table[words.view(np.uint8)].reshape(*words.shape, 8).sum(axis=-1)  # type: ignore[no-any-return]


def _csr(keys: np.ndarray, rows: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted pair keys (row * width + column) as CSR row pointers and columns."""
    keys = np.asarray(keys, dtype=np.int64)
    counts = np.bincount(keys // max(width, 1), minlength=rows)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), keys % max(width, 1)


def _ranges(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For CSR row pointers: (position in `rows`, entry index) of every entry of those rows."""
    starts = ptr[rows]
    lengths = ptr[rows + 1] - starts
    local = np.repeat(np.arange(len(rows)), lengths)
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return local, np.arange(len(local)) + shift
