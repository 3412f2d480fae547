"""Corpus statistics from the store: rates, shares and trends, each with a 95% interval.

Intervals are percentile bootstraps by article: articles are resampled within each group,
so many detections in one long article do not pass for independent evidence. A group is
compared with the rest of the corpus through the bootstrap distribution of the
difference (the groups are resampled independently, so the rest's draw is the sum of the
other groups' draws): ``higher`` or ``lower`` when its 95% interval excludes zero,
otherwise ``within noise``. Groups with fewer than ``MIN_ARTICLES`` articles are
flagged ``too small`` and never called different.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from spinscope.corpus.store import read_only
from spinscope.errors import InvalidOption
from spinscope.taxonomy import FRAME_NAMES as FRAMES
from spinscope.taxonomy import GENRE_NAMES as GENRES
from spinscope.taxonomy import TECHNIQUE_NAMES as TECHNIQUES

# Columns a report may group by, and the periods a trend may use (SQL over ``articles``).
GROUP_KEYS = {"outlet": "outlet", "author": "author", "language": "language", "genre": "genre"}
PERIODS = {"month": "strftime(date, '%Y-%m')", "year": "strftime(date, '%Y')"}
MIN_ARTICLES = 20
TOP_TARGETS = 5
BOOTSTRAP = 500
ALL = "all articles"
UNKNOWN = "(unknown)"
# A claim's source is weak when it is vague or missing (ClaimAttribution.kind).
WEAK_KINDS = ("vague", "none")


@dataclass(frozen=True)
class Filter:
    """Which articles a report covers; ``None`` means no restriction."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    language: str | None = None
    outlet: str | None = None


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Group:
    name: str
    articles: int
    words: int
    too_small: bool


@dataclass(frozen=True)
class GroupValue:
    """One measure (a technique, genre, frame...) in one group, and how it compares with the rest."""

    group: str
    key: str
    estimate: Estimate
    versus_rest: str  # higher | lower | within noise | too small | "" (only one group)


@dataclass(frozen=True)
class TrendPoint:
    group: str
    period: str
    articles: int
    estimate: Estimate


@dataclass(frozen=True)
class Target:
    """An entity the group's articles attack: summed ``attacked`` and the articles doing so."""

    group: str
    entity: str
    label: str
    articles: int
    attacked: float


@dataclass(frozen=True)
class CorpusReport:
    by: str | None
    over: str | None
    filter: Filter
    groups: tuple[Group, ...]
    techniques: tuple[GroupValue, ...]  # detections per 1,000 words, per technique
    detections: tuple[GroupValue, ...]  # all techniques together, per 1,000 words
    genres: tuple[GroupValue, ...]  # share of articles
    frames: tuple[GroupValue, ...]  # share of articles showing the frame
    weak_sourcing: tuple[GroupValue, ...]  # share of check-worthy claims with a vague or no source
    claims: dict[str, int]  # check-worthy claims per group
    trend: tuple[TrendPoint, ...]  # all detections per 1,000 words per group and period
    targets: tuple[Target, ...]  # the most attacked entities per group, most first
    failures: int
    first_date: datetime.date | None
    last_date: datetime.date | None

    @property
    def articles(self) -> int:
        return sum(g.articles for g in self.groups)


@dataclass(frozen=True)
class _Articles:
    ids: list[str]
    group: np.ndarray  # group name per article
    period: np.ndarray
    words: np.ndarray
    genre: list[str | None]
    frames: list[list[str]]


def corpus_report(db: str | Path, by: str | None = "outlet", over: str | None = None, where: Filter = Filter(),
                  seed: int = 0) -> CorpusReport:
    """Every figure of the corpus report, read from the store at ``db``."""
    if by is not None and by not in GROUP_KEYS:
        raise InvalidOption(f"cannot group by {by!r}; choose one of: {', '.join(GROUP_KEYS)}")
    if over is not None and over not in PERIODS:
        raise InvalidOption(f"cannot show a trend by {over!r}; choose one of: {', '.join(PERIODS)}")
    with read_only(db) as con:
        arts = _read_articles(con, by, over, where)
        index = {a: i for i, a in enumerate(arts.ids)}
        counts = np.zeros((len(arts.ids), len(TECHNIQUES)), np.float64)
        col = {t: j for j, t in enumerate(TECHNIQUES)}
        for article, tech, n in con.execute(
                "SELECT article, technique, count(*) FROM detections GROUP BY ALL").fetchall():
            if article in index and tech in col:
                counts[index[article], col[tech]] = n
        claims = np.zeros((len(arts.ids), 2), np.float64)  # weak, all (check-worthy only)
        for article, weak, total in con.execute(
                "SELECT article, count(*) FILTER (WHERE source_kind IS NULL OR source_kind IN (?, ?)), count(*) "
                "FROM claims WHERE checkworthy GROUP BY article", list(WEAK_KINDS)).fetchall():
            if article in index:
                claims[index[article]] = (weak, total)
        attacks = con.execute("SELECT article, entity, label, attacked FROM entities WHERE attacked > 0").fetchall()
        failures = con.execute("SELECT count(*) FROM failures").fetchone()[0]
        first, last = con.execute("SELECT min(date), max(date) FROM articles WHERE id IN (SELECT unnest(?))",
                                  [arts.ids]).fetchone()
    rng = np.random.default_rng(seed)
    names = sorted(set(arts.group.tolist()), key=lambda g: (g == UNKNOWN, g))
    groups = tuple(Group(g, int((arts.group == g).sum()), int(arts.words[arts.group == g].sum()),
                         int((arts.group == g).sum()) < MIN_ARTICLES) for g in names)
    per_k = arts.words / 1000.0
    genre = np.array([[a == g for g in GENRES] for a in arts.genre], np.float64).reshape(-1, len(GENRES))
    frames = np.array([[f in fs for f in FRAMES] for fs in arts.frames], np.float64).reshape(-1, len(FRAMES))
    ones = np.ones(len(arts.ids))
    split = lambda num, den, keys: _compare(groups, arts.group, num, den, keys, rng)  # noqa: E731
    return CorpusReport(
        by=by, over=over, filter=where, groups=groups,
        techniques=split(counts, per_k, TECHNIQUES),
        detections=split(counts.sum(1, keepdims=True), per_k, ("all techniques",)),
        genres=split(genre, ones, GENRES),
        frames=split(frames, ones, FRAMES),
        weak_sourcing=split(claims[:, :1], claims[:, 1], ("vague or no source",)),
        claims={g.name: int(claims[arts.group == g.name, 1].sum()) for g in groups},
        trend=_trend(arts, counts.sum(1), per_k, rng) if over else (),
        targets=_targets(attacks, {a: g for a, g in zip(arts.ids, arts.group, strict=True)}),
        failures=int(failures), first_date=first, last_date=last,
    )


def _read_articles(con, by: str | None, over: str | None, where: Filter) -> _Articles:  # noqa: ANN001
    clauses, params = [], []
    for sql, value in (("date >= ?", where.since), ("date <= ?", where.until), ("language = ?", where.language),
                       ("outlet = ?", where.outlet)):
        if value is not None:
            clauses.append(sql)
            params.append(value)
    group = f"coalesce(CAST({GROUP_KEYS[by]} AS VARCHAR), '{UNKNOWN}')" if by else f"'{ALL}'"
    period = f"coalesce({PERIODS[over]}, '{UNKNOWN}')" if over else "''"
    rows = con.execute(
        f"SELECT id, {group}, {period}, coalesce(words, 0), genre, coalesce(frames, []) FROM articles "  # noqa: S608
        f"{'WHERE ' + ' AND '.join(clauses) if clauses else ''} ORDER BY id", params).fetchall()
    return _Articles([r[0] for r in rows], np.array([r[1] for r in rows], dtype=object),
                     np.array([r[2] for r in rows], dtype=object), np.array([r[3] for r in rows], np.float64),
                     [r[4] for r in rows], [list(r[5]) for r in rows])


def _draws(num: np.ndarray, den: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap sums of numerators (B, k) and denominators (B,), resampling articles."""
    n = len(den)
    if n == 0:
        return np.zeros((BOOTSTRAP, num.shape[1])), np.zeros(BOOTSTRAP)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=BOOTSTRAP).astype(np.float64)
    return weights @ num, weights @ den


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


def _interval(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(draws).any(0)
    low, high = np.zeros(draws.shape[1]), np.zeros(draws.shape[1])
    if finite.any():
        low[finite], high[finite] = np.nanpercentile(draws[:, finite], [2.5, 97.5], axis=0)
    return low, high


def _compare(groups: tuple[Group, ...], owner: np.ndarray, num: np.ndarray, den: np.ndarray, keys: tuple[str, ...],
             rng: np.random.Generator) -> tuple[GroupValue, ...]:
    """Each group's ratio sum(num)/sum(den) per key, its interval, and its difference from the rest."""
    draws = {g.name: _draws(num[owner == g.name], den[owner == g.name], rng) for g in groups}
    total_num = sum(d[0] for d in draws.values())
    total_den = sum(d[1] for d in draws.values())
    out = []
    for g in groups:
        mask = owner == g.name
        value = _ratio(num[mask].sum(0), den[mask].sum())
        boot = _ratio(draws[g.name][0], draws[g.name][1][:, None])
        low, high = _interval(boot)
        if len(groups) > 1:
            rest = _ratio(total_num - draws[g.name][0], (total_den - draws[g.name][1])[:, None])
            d_low, d_high = _interval(boot - rest)
        for j, key in enumerate(keys):
            if len(groups) == 1:
                verdict = ""
            elif g.too_small:
                verdict = "too small"
            else:
                verdict = "higher" if d_low[j] > 0 else "lower" if d_high[j] < 0 else "within noise"
            v = float(value[j]) if np.isfinite(value[j]) else float("nan")
            out.append(GroupValue(g.name, key, Estimate(v, float(low[j]), float(high[j])), verdict))
    return tuple(out)


def _targets(attacks: list[tuple], group_of: dict[str, str], top: int = TOP_TARGETS) -> tuple[Target, ...]:
    """Per group, the ``top`` entities by summed ``attacked``; names match case-insensitively."""
    sums: dict[tuple[str, str], list] = {}
    for article, entity, label, attacked in attacks:
        if article in group_of:
            row = sums.setdefault((group_of[article], entity.casefold()), [entity, label, set(), 0.0])
            row[2].add(article)
            row[3] += attacked
    out: list[Target] = []
    for g in sorted({g for g, _ in sums}):
        mine = sorted((v for (grp, _), v in sums.items() if grp == g), key=lambda v: (-v[3], v[0]))[:top]
        out += [Target(g, name, label, len(arts), round(total, 4)) for name, label, arts, total in mine]
    return tuple(out)


def _trend(arts: _Articles, detections: np.ndarray, per_k: np.ndarray, rng: np.random.Generator) -> tuple[TrendPoint, ...]:
    out = []
    for g in sorted(set(arts.group.tolist())):
        for p in sorted(set(arts.period[arts.group == g].tolist())):
            if p == UNKNOWN:
                continue
            mask = (arts.group == g) & (arts.period == p)
            num, den = _draws(detections[mask, None], per_k[mask], rng)
            low, high = _interval(_ratio(num, den[:, None]))
            value = _ratio(detections[mask].sum(keepdims=True), per_k[mask].sum())
            out.append(TrendPoint(g, p, int(mask.sum()), Estimate(float(value[0]), float(low[0]), float(high[0]))))
    return tuple(out)


def parse_date(value: str | None, end: bool = False) -> datetime.date | None:
    """``YYYY-MM-DD`` or ``YYYY-MM`` (the month's first day, or its last when ``end``)."""
    if not value:
        return None
    try:
        if len(value) == 7:
            first = datetime.date.fromisoformat(value + "-01")
            if not end:
                return first
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            return following - datetime.timedelta(days=1)
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidOption(f"not a date: {value!r} (use YYYY-MM-DD or YYYY-MM)") from exc


def split_by(values: tuple[str, ...] | list[str]) -> tuple[str | None, str | None]:
    """``--by outlet --by month`` as (group key, period); at most one of each."""
    keys = [v for v in values if v in GROUP_KEYS]
    periods = [v for v in values if v in PERIODS]
    unknown = [v for v in values if v not in GROUP_KEYS and v not in PERIODS]
    if unknown:
        raise InvalidOption(f"cannot group by {unknown[0]!r}; choose from: {', '.join([*GROUP_KEYS, *PERIODS])}")
    if len(keys) > 1 or len(periods) > 1:
        raise InvalidOption("give at most one group (e.g. --by outlet) and one period (e.g. --by month)")
    return (keys[0] if keys else None), (periods[0] if periods else None)


def corpus_view(db: str | Path, by: tuple[str, ...], values: dict[str, str]) -> CorpusReport:
    """The report for ``--by`` values and text filters (since, until, lang, outlet) as a user typed them."""
    group, period = split_by(by)
    where = Filter(parse_date(values.get("since")), parse_date(values.get("until"), end=True),
                   values.get("lang") or None, values.get("outlet") or None)
    return corpus_report(db, group, period, where)
