"""Load the SemEval-2023 Task 3 training data into typed, validated records."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from spinscope import languages
from spinscope.errors import MissingFile
from spinscope.segment import paragraphs
from spinscope.semeval import io
from spinscope.taxonomy import FRAME_NAMES, GENRE_NAMES, TECHNIQUE_NAMES

FOLDER_CODES = {"en": "en", "fr": "fr", "de": "ge", "it": "it", "pl": "po", "ru": "ru"}


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    id: str
    language: str
    text: str
    genre: str | None
    frames: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class LabelledParagraph:
    article: str
    language: str
    index: int
    text: str
    labels: tuple[str, ...]
    previous: str
    next: str


@dataclass(frozen=True, slots=True)
class Corpus:
    articles: tuple[LabelledArticle, ...]
    paragraphs: tuple[LabelledParagraph, ...]
    spans: tuple[io.GoldSpan, ...]
    st3_texts: dict[str, str]
    problems: tuple[io.LabelProblem, ...]
    data_hash: str

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages present, the trained ones in their usual order first."""
        order = {x: i for i, x in enumerate(languages.TRAINED)}
        return tuple(sorted({a.language for a in self.articles}, key=lambda x: (order.get(x, len(order)), x)))

    def provenance(self) -> dict:
        """The manifests' ``training_data``: what a model was trained on, languages included."""
        return {
            "source": f"SemEval-2023 Task 3 training sets ({', '.join(self.languages)})",
            "languages": list(self.languages),
            "sha256": self.data_hash,
            "articles_subtasks_1_2": len(self.articles),
            "paragraphs_subtask_3": len(self.paragraphs),
        }


def fold_of(article_id: str, k: int = 5) -> int:
    """Stable article-level fold: a hash of the id, so it never depends on file order."""
    return int(hashlib.sha256(article_id.encode()).hexdigest(), 16) % k


def _hash_files(paths: Sequence[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def load_corpus(
    root: str | Path,
    langs: Sequence[str] = languages.TRAINED,
    log: Callable[[str], None] = lambda _msg: None,
) -> Corpus:
    """Read articles, labels and spans for ``langs`` (ISO codes) from a SemEval data root."""
    root = Path(root)
    if not root.is_dir():
        raise MissingFile(f"no SemEval data directory at {root}")
    articles: list[LabelledArticle] = []
    paras: list[LabelledParagraph] = []
    spans: list[io.GoldSpan] = []
    st3_texts: dict[str, str] = {}
    problems: list[io.LabelProblem] = []
    used: list[Path] = []
    for lang in langs:
        d = root / FOLDER_CODES[lang]
        st1 = io.read_labels_st1(d / "train-labels-subtask-1.txt")
        st2 = io.read_labels_st2(d / "train-labels-subtask-2.txt")
        st3 = io.read_labels_st3(d / "train-labels-subtask-3.txt")
        g, p1 = io.validate_label_sets({k: (v,) for k, v in st1.items()}, GENRE_NAMES, f"{lang} subtask 1")
        f, p2 = io.validate_label_sets(st2, FRAME_NAMES, f"{lang} subtask 2")
        t, p3 = io.validate_label_sets(st3, TECHNIQUE_NAMES, f"{lang} subtask 3")
        problems += p1 + p2 + p3
        texts12 = io.read_articles(d / "train-articles-subtask-1")
        for aid, text in texts12.items():
            genre = g.get(aid, ())
            articles.append(
                LabelledArticle(aid, lang, text, genre[0] if genre else None, f.get(aid))
            )
        texts3 = io.read_articles(d / "train-articles-subtask-3")
        st3_texts.update(texts3)
        for aid, text in texts3.items():
            ps = paragraphs(text)
            chunks = [text[p.start : p.end] for p in ps]
            for n, p in enumerate(ps):
                key = (aid, p.index)
                if key not in t:
                    continue
                paras.append(
                    LabelledParagraph(
                        aid, lang, p.index, chunks[n], t[key],
                        chunks[n - 1] if n else "", chunks[n + 1] if n + 1 < len(chunks) else "",
                    )
                )
        spans += io.read_spans(d / "train-labels-subtask-3-spans")
        used += [d / "train-labels-subtask-1.txt", d / "train-labels-subtask-2.txt", d / "train-labels-subtask-3.txt"]
        used += sorted((d / "train-articles-subtask-1").glob("*.txt"))
        used += sorted((d / "train-articles-subtask-3").glob("*.txt"))
        used += sorted((d / "train-labels-subtask-3-spans").glob("*.txt"))
        log(f"{lang}: {len(texts12)} articles (subtasks 1-2), {len(texts3)} articles / "
            f"{sum(1 for p in paras if p.language == lang)} labelled paragraphs (subtask 3)")
    for p in problems:
        action = f"repaired to {p.repaired_to!r}" if p.repaired_to else "dropped (no unambiguous repair)"
        log(f"label not in the official list: {p.label!r} in {p.where}: {action}")
    return Corpus(tuple(articles), tuple(paras), tuple(spans), st3_texts, tuple(problems), _hash_files(used, root))
