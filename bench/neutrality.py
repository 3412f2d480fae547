"""Neutrality: how often do technique decisions change when only the names change?

Usage: python bench/neutrality.py [--data ../shared/data/semeval2023] [--split test] [--model transformer]
                                  [--unlisted | --acronyms | --groups] [--lines]

Builds its own swap set from the SemEval articles of one fold (default: the test fold,
never used for fitting): every article that names a country, armed group, party or
politician from the lists below is copied with each such name exchanged for another of
the same kind ("Pakistan" -> "India", "ISIS" -> "Hamas", "Republicans" -> "Democrats").
Both versions are analysed; a paragraph flips when its set of detected techniques
changes. Only paragraphs that contain a swapped name are counted. An article flips when
its techniques as a whole (``Analysis.techniques``) change; its genre label is counted apart.

The ring names are also in ``spinscope.detect.names``, the list the model masks, so the
default run measures what masking buys on listed names. ``--unlisted`` swaps each name for
one the list does not hold (regions, invented parties and people), which shows what is left
for names outside it. ``--acronyms`` swaps each for an acronym the list does not hold ("ISIS" ->
"PKK", "Labour" -> "BJP"): names written in capitals only. ``--groups`` swaps the words for faiths and peoples instead, in each
article's language ("musulmani" -> "cristiani", "américains" -> "russes"): where a language
writes them in lowercase no capital marks them as names, so neither model masks them.
``--lines`` cuts both versions one sentence per line and compares what ``semeval predict
--lines sentences`` gives each line (the line context, ``detect.decisions.LineContext``): a line
with a swapped word flips when its label set changes; lines without one that move (the context
reads two lines either side) are counted apart.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from spinscope import load
from spinscope.audit import Swap, apply_swaps, compare, compare_article, genre_moved
from spinscope.evaluation.semeval import paragraph_labels
from spinscope.segment import paragraphs, sentences
from spinscope.training.corpus import load_corpus
from spinscope.training.transformer import split_of
from spinscope.types import Article

# Each list is a ring: a name is swapped for the next one of its kind.
KINDS = {
    "country": ["Pakistan", "India", "China", "Russia", "Ukraine", "Iran", "Israel", "Syria", "Iraq", "Afghanistan",
                "Turkey", "Germany", "France", "Britain", "Mexico", "Canada", "Japan", "Egypt", "Venezuela", "Poland",
                "Italy", "Spain", "Brazil", "Nigeria", "Saudi Arabia", "North Korea", "Cuba", "Qatar"],
    "group": ["ISIS", "Hamas", "Taliban", "Hezbollah", "al-Qaeda", "Boko Haram", "Antifa", "Proud Boys"],
    "party": ["Republicans", "Democrats", "Labour", "Conservatives", "Tories", "Liberals"],
    "person": ["Trump", "Biden", "Obama", "Clinton", "Putin", "Zelensky", "Sanders", "Pelosi", "Merkel", "Macron",
               "Erdogan", "Netanyahu", "Bush", "Johnson", "Orban", "Modi"],
}


# Not in the masked list: what a swap to a name the model has no rule for changes.
UNLISTED = {
    "country": ["Catalonia", "Bavaria", "Quebec", "Tasmania", "Sicily", "Flanders"],
    "group": ["Black Hand", "Red Brigades", "Shining Path", "Sons of Liberty"],
    "party": ["Whigs", "Federalists", "Greenbacks", "Free Soilers"],
    "person": ["Hartmann", "Okonkwo", "Lindqvist", "Ferreira", "Nakamura", "Kowalczyk"],
}


# Unlisted names written in capitals only, as many parties, armed groups and states are.
ACRONYMS = {
    "country": ["UAE", "DRC", "PRC", "ROK"],
    "group": ["PKK", "ETA", "FARC", "LTTE"],
    "party": ["BJP", "PTI", "ANC", "MQM"],
    "person": ["JFK", "AOC", "MBS", "RFK"],
}


# Plural forms per language, each ring of one kind; swapped as written and capitalised.
GROUP_WORDS = {
    "en": [["Muslims", "Christians", "Jews", "Hindus", "Catholics"], ["Americans", "Russians", "Chinese", "Mexicans"]],
    "fr": [["musulmans", "chrétiens", "juifs", "catholiques", "protestants"],
           ["américains", "russes", "chinois", "ukrainiens", "allemands"]],
    "de": [["Muslime", "Christen", "Juden", "Katholiken", "Protestanten"],
           ["Amerikaner", "Russen", "Chinesen", "Ukrainer", "Franzosen"]],
    "it": [["musulmani", "cristiani", "ebrei", "cattolici", "protestanti"],
           ["americani", "russi", "cinesi", "ucraini", "tedeschi"]],
    "pl": [["muzułmanie", "chrześcijanie", "żydzi", "katolicy", "protestanci"],
           ["amerykanie", "rosjanie", "chińczycy", "ukraińcy", "niemcy"]],
    "ru": [["мусульмане", "христиане", "евреи", "католики", "протестанты"],
           ["американцы", "русские", "китайцы", "украинцы", "немцы"]],
}


def group_swaps_for(text: str, language: str) -> list[Swap]:
    out = []
    for ring in GROUP_WORDS.get(language, []):
        for i, word in enumerate(ring):
            nxt = ring[(i + 1) % len(ring)]
            for old, new in {(word, nxt), (word[:1].upper() + word[1:], nxt[:1].upper() + nxt[1:])}:
                if apply_swaps(text, [Swap(old, "\0")])[1][old]:
                    out.append(Swap(old, new))
    return out


def swaps_for(text: str, targets: dict[str, list[str]] | None = None) -> list[Swap]:
    """Each listed name in ``text`` swapped for the next of its ring, or with ``targets``
    (``UNLISTED``, ``ACRONYMS``) for one of that kind's names there."""
    out = []
    for kind, names in KINDS.items():
        present = [n for n in names if apply_swaps(text, [Swap(n, "\0")])[1][n]]
        for i, name in enumerate(present):
            if targets:
                out.append(Swap(name, targets[kind][i % len(targets[kind])]))
            else:
                out.append(Swap(name, names[(names.index(name) + 1) % len(names)]))
    return out


def cut(text: str) -> str:
    return "\n".join(" ".join(text[x.start:x.end].split()) for p in paragraphs(text) for x in sentences(text, (p,)))


def line_flips(nlp, aid: str, text: str, swapped: str, lang: str):  # noqa: ANN001, ANN201 - a Pipeline
    """Per line with a swapped word (label set changed?, labels moved), and how many other lines
    moved; None where the swap changed how the text splits into sentences."""
    a_text, b_text = cut(text), cut(swapped)
    if a_text.count("\n") != b_text.count("\n"):
        return None
    labels, context = nlp.model.techniques.labels, nlp.model.line_context
    analyses = [nlp(Article(id=aid, text=t), language=lang) for t in (a_text, b_text)]
    a, b = (paragraph_labels(x, context, labels, None) for x in analyses)
    own_a, own_b = ({p.paragraph.index: {s.technique for s in p.detected} for p in x.paragraphs} for x in analyses)
    rows, other = [], 0
    for i, (x, y) in enumerate(zip(a_text.split("\n"), b_text.split("\n"), strict=True), start=1):
        moved = len(set(a.get(i, ())) ^ set(b.get(i, ())))
        if x != y:
            rows.append((moved > 0, moved, own_a.get(i) != own_b.get(i)))
        else:
            other += moved > 0
    return rows, other


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).parents[2] / "shared" / "data" / "semeval2023"))
    ap.add_argument("--split", default="test", choices=["test", "validation"])
    ap.add_argument("--model", default="transformer")
    ap.add_argument("--limit", type=int, default=0, help="at most this many articles (0: all)")
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--unlisted", action="store_true", help="swap to names outside the masked list")
    mode.add_argument("--acronyms", action="store_true", help="swap to acronyms outside the masked list")
    mode.add_argument("--groups", action="store_true", help="swap words for faiths and peoples (GROUP_WORDS)")
    ap.add_argument("--lines", action="store_true", help="one sentence per line, labelled by the line context")
    args = ap.parse_args()
    corpus = load_corpus(args.data)
    nlp = load(args.model)
    lang_of = {p.article: p.language for p in corpus.paragraphs}
    t0 = time.time()
    rows = []  # (language, paragraph changed?, decisions moved, decisions)
    articles = []  # (language, article-level decisions moved, genre label moved)
    done = skipped = elsewhere = 0
    for aid in sorted(corpus.st3_texts):
        if split_of(aid) != args.split or aid not in lang_of:
            continue
        text, lang = corpus.st3_texts[aid], lang_of[aid]
        targets = UNLISTED if args.unlisted else ACRONYMS if args.acronyms else None
        swaps = group_swaps_for(text, lang) if args.groups else swaps_for(text, targets)
        if not swaps:
            continue
        swapped_text, _ = apply_swaps(text, swaps)
        if args.lines:
            found = line_flips(nlp, aid, text, swapped_text, lang)
            if found is None:
                skipped += 1
                continue
            rows += [(lang, *r) for r in found[0]]
            elsewhere += found[1]
            done += 1
            if args.limit and done >= args.limit:
                break
            continue
        a = nlp(Article(id=aid, text=text), language=lang)
        b = nlp(Article(id=aid, text=swapped_text), language=lang)
        moved, _ = compare(a, b)
        touched = [p.paragraph.index for p, q in zip(a.paragraphs, b.paragraphs, strict=True)
                   if a.article.text[p.paragraph.start:p.paragraph.end] != b.article.text[q.paragraph.start:q.paragraph.end]]
        changed = {m.paragraph for m in moved}
        for idx in touched:
            rows.append((lang, idx in changed, sum(m.paragraph == idx for m in moved)))
        articles.append((lang, len(compare_article(a, b)), genre_moved(a, b) is not None))
        done += 1
        if args.limit and done >= args.limit:
            break
    which = ("group words" if args.groups else "unlisted names" if args.unlisted
             else "unlisted acronyms" if args.acronyms else "listed names")
    unit = "sentence lines (line context)" if args.lines else "paragraphs"
    print(f"model {args.model}; fold {args.split}; {which}; {done} articles with swappable words, {len(rows)} {unit} "
          f"with a swapped word; {time.time() - t0:.0f}s")
    if args.lines:
        own = sum(r[3] for r in rows)
        print(f"lines without a swapped word whose labels moved: {elsewhere}; articles whose swap changed the "
              f"sentence split (skipped): {skipped}; lines with a swapped word whose own sentence decisions "
              f"flipped: {own} ({100 * own / max(len(rows), 1):.1f}%)")
    head = "lines" if args.lines else "paragraphs"
    print(f"{'lang':<6}{head:>11}{'flipped':>9}{'flip rate':>11}{'decisions moved':>17}{'per 1000':>10}")
    for lang in sorted({r[0] for r in rows}) + ["all"]:
        sel = [r for r in rows if lang in ("all", r[0])]
        flips = sum(r[1] for r in sel)
        moved = sum(r[2] for r in sel)
        print(f"{lang:<6}{len(sel):>11}{flips:>9}{100 * flips / len(sel):>10.1f}%{moved:>17}"
              f"{1000 * moved / (23 * len(sel)):>10.2f}")
    if args.lines:
        return 0
    print(f"\nthe article as a whole\n{'lang':<6}{'articles':>11}{'flipped':>9}{'flip rate':>11}{'decisions moved':>17}"
          f"{'genre moved':>13}")
    for lang in sorted({r[0] for r in articles}) + ["all"]:
        sel = [r for r in articles if lang in ("all", r[0])]
        flips = sum(r[1] > 0 for r in sel)
        print(f"{lang:<6}{len(sel):>11}{flips:>9}{100 * flips / len(sel):>10.1f}%{sum(r[1] for r in sel):>17}"
              f"{sum(r[2] for r in sel):>13}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
