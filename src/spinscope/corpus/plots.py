"""The corpus report's plots: matplotlib figures, embedded as SVG data URIs (``data_uri``).

An SVG loaded through ``<img>`` is its own document, so the page's Content-Security-Policy
(no inline styles) does not strip matplotlib's styling, and nothing loads from a CDN.
Each plot has a table with the same numbers beside it in the report.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from spinscope.corpus.stats import GroupValue, TrendPoint
from spinscope.errors import ExtraNotInstalled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe-Ito: told apart with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#000000", "#56B4E9", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")  # so colour is never the only cue


def _pyplot():  # noqa: ANN202 - matplotlib.pyplot
    try:
        import matplotlib
    except ImportError as exc:
        raise ExtraNotInstalled("corpus reports draw with matplotlib: pip install -e '.[corpus]'") from exc
    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "spinscope", "svg.fonttype": "none", "font.size": 9})
    import matplotlib.pyplot as plt

    return plt


def data_uri(fig) -> str:  # noqa: ANN001 - a matplotlib figure, closed here
    """The figure as an SVG data URI, for ``<img src=...>``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _finite(x: float) -> float:
    return x if math.isfinite(x) else 0.0


def dot_plot(values: Sequence[GroupValue], keys: Sequence[str], groups: Sequence[str], xlabel: str,
             labels: dict[str, str] | None = None, share: bool = False) -> Figure:
    """Per key (rows), each group's estimate as a dot with its 95% interval; ``share``: an axis from 0 to 1.

    With one key, the groups themselves are the rows and need no legend.
    """
    plt = _pyplot()
    by = {(v.group, v.key): v for v in values}
    rows = list(groups) if len(keys) == 1 else list(keys)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.2))
    series = [(None, g) for g in groups] if len(keys) > 1 else [(keys[0], None)]
    step = 0.8 / max(len(series), 1)
    for i, (key, group) in enumerate(series):
        ys, xs, lo, hi = [], [], [], []
        for r, row in enumerate(rows):
            v = by.get((group, row) if key is None else (row, key))
            if v is None:
                continue
            offset = 0.4 - step * (i + 0.5) if len(series) > 1 else 0.0
            ys.append(len(rows) - 1 - r + offset)
            xs.append(_finite(v.estimate.value))
            lo.append(max(0.0, xs[-1] - _finite(v.estimate.low)))
            hi.append(max(0.0, _finite(v.estimate.high) - xs[-1]))
        ax.errorbar(xs, ys, xerr=[lo, hi], fmt=MARKERS[i % len(MARKERS)], ms=4, capsize=2,
                    color=PALETTE[i % len(PALETTE)], label=group)
    ax.set_yticks(range(len(rows)), [(labels or {}).get(k, k) for k in reversed(rows)])
    ax.set_xlabel(xlabel)
    if share:
        ax.set_xlim(-0.02, 1.02)
    ax.grid(axis="x", alpha=0.3)
    if len(series) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


def stacked_shares(values: Sequence[GroupValue], keys: Sequence[str], groups: Sequence[str], xlabel: str) -> Figure:
    """One horizontal bar per group, split into the keys' shares (e.g. the genre mix)."""
    plt = _pyplot()
    by = {(v.group, v.key): _finite(v.estimate.value) for v in values}
    fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(groups) + 1.2))
    left = [0.0] * len(groups)
    hatches = ("", "//", "..", "xx")
    for i, k in enumerate(keys):
        widths = [by.get((g, k), 0.0) for g in groups]
        ax.barh(range(len(groups)), widths, left=left, color=PALETTE[i % len(PALETTE)], hatch=hatches[i % 4],
                edgecolor="white", label=k)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(range(len(groups)), list(groups))
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(xlabel)
    ax.legend(ncol=len(keys), loc="upper center", bbox_to_anchor=(0.5, -0.25), fontsize=8)
    return fig


def trend_plot(points: Sequence[TrendPoint], ylabel: str) -> Figure:
    """One line per group over the periods, with a 95% band."""
    plt = _pyplot()
    periods = sorted({p.period for p in points})
    fig, ax = plt.subplots(figsize=(7.5, 3.2))
    for i, g in enumerate(sorted({p.group for p in points})):
        mine = sorted((p for p in points if p.group == g), key=lambda p: p.period)
        xs = [periods.index(p.period) for p in mine]
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(xs, [_finite(p.estimate.value) for p in mine], marker=MARKERS[i % len(MARKERS)], ms=4, color=colour, label=g)
        ax.fill_between(xs, [_finite(p.estimate.low) for p in mine], [_finite(p.estimate.high) for p in mine],
                        color=colour, alpha=0.15, linewidth=0)
    every = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), every), periods[::every], rotation=45, ha="right")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig
