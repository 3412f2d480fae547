"""Build the list of common English words that entity finding reads (``detect.mentions``).

In English the rule finder takes a capitalised sentence opener for a name when the article
never writes it in lowercase ("Freedonia shelters..."). That also made "History offers a
warning" name an entity, and a target of the techniques in its sentence. A word that
English text writes in lowercase is no name on its own, so this list holds the word forms
that, inside sentences, appear in lowercase at least ``MIN_LOWER`` times and at least
``LOWER_RATIO`` times as often as capitalised ("history": 323 against 29, "Black History
Month" among them; "trump": 4 against 4,548).

Counted in SemEval-2023 Task 3's English articles and PolNeAR's training articles (news).
Only lowercased word forms are kept, no text; both corpora stay out of the repository.

    python -m spinscope.training.english_words ../shared/data src/spinscope/models/lexicons/en
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spinscope.training import source_to_target
from spinscope.training.lexicon import write_word_list

FILE = "common.txt.gz"
MIN_LOWER = 3
LOWER_RATIO = 2.0
SOURCE = ("lowercased word forms counted inside sentences of SemEval-2023 Task 3's English articles "
          "(subtask 3) and PolNeAR v1.0.0's training articles; no text")
LICENCE = ("a list of common English word forms; the corpora it was counted in are research-only "
           "and are not redistributed")


def common_words(texts: Iterable[str]) -> list[str]:
    """Sorted lowercased forms written in lowercase inside sentences often enough (see the module)."""
    from spinscope.detect.mentions import SENTENCE_END, word_spans

    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        words = word_spans(text)
        for (_, before), (start, end) in zip(words, words[1:], strict=False):  # each word with the one before
            if SENTENCE_END.search(text[before:start]):
                continue  # a sentence opener is capitalised whatever it is
            form = text[start:end]
            (lower if form[0].islower() else capital)[form.casefold()] += 1
    return sorted(w for w, n in lower.items() if n >= MIN_LOWER and n >= LOWER_RATIO * capital[w])


def build(data_dir: Path, out_dir: Path) -> dict:
    """From ``data_dir`` (the shared data folder: ``semeval2023/`` and ``polnear/``) into ``out_dir``."""
    from spinscope.training import genre_news
    from spinscope.training.corpus import load_corpus

    corpus = load_corpus(data_dir / "semeval2023", ["en"])
    news = genre_news.news_texts(data_dir / "polnear")
    texts = [corpus.st3_texts[a] for a in sorted(corpus.st3_texts)] + [news.texts[a] for a in sorted(news.texts)]
    manifest = {
        "name": "en-common-words", "files": {FILE: write_word_list(out_dir / FILE, common_words(texts))},
        "source": SOURCE, "articles": len(texts),
        "source_sha256": hashlib.sha256("\0".join(texts).encode("utf-8")).hexdigest(),
        "rule": {"min_lower": MIN_LOWER, "lower_ratio": LOWER_RATIO}, "licence": LICENCE,
    }
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    return source_to_target(__doc__ or "", lambda data, out: json.dumps(build(Path(data), Path(out)), indent=2), argv)


if __name__ == "__main__":
    raise SystemExit(main())
