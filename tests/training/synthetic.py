"""A tiny SemEval-shaped corpus written by the tests themselves (never the real data)."""

from __future__ import annotations

from pathlib import Path

LOADED = "The corrupt, disgraceful regime keeps lying to the people."
AUTHORITY = "Experts agree and officials say the plan is the only option."
NEUTRAL = "The committee met on Tuesday to discuss the budget."


def write_corpus(root: Path, n_articles: int = 12) -> Path:
    d = root / "en"
    for sub in ("train-articles-subtask-1", "train-articles-subtask-2", "train-articles-subtask-3",
                "train-labels-subtask-3-spans"):
        (d / sub).mkdir(parents=True)
    st1, st2, st3 = [], [], []
    for i in range(n_articles):
        aid = str(1000 + i)
        opinion = i % 2 == 0
        body = [LOADED, AUTHORITY] if opinion else [NEUTRAL, NEUTRAL.replace("Tuesday", "Friday")]
        text = f"Title {i}\n\n" + "\n\n".join(body) + "\n"
        for sub in ("train-articles-subtask-1", "train-articles-subtask-2", "train-articles-subtask-3"):
            (d / sub / f"article{aid}.txt").write_text(text, encoding="utf-8")
        st1.append(f"{aid}\t{'opinion' if opinion else 'reporting'}")
        st2.append(f"{aid}\t{'Political,Morality' if opinion else 'Economic'}")
        st3.append(f"{aid}\t1\t")
        labels = ["Loaded_Language", "Appeal_to_Authority"] if opinion else ["", ""]
        # one corrupted label, as in the real English data
        if i == 0:
            labels[0] = "Loaded_Languag-č"
        st3.append(f"{aid}\t3\t{labels[0]}")
        st3.append(f"{aid}\t5\t{labels[1]}")
        spans = f"{aid}\tLoaded_Language\t{text.index('corrupt')}\t{text.index('corrupt') + 7}\n" if opinion else ""
        (d / "train-labels-subtask-3-spans" / f"article{aid}-labels-subtask-3.txt").write_text(spans)
    (d / "train-labels-subtask-1.txt").write_text("\n".join(st1) + "\n")
    (d / "train-labels-subtask-2.txt").write_text("\n".join(st2) + "\n")
    (d / "train-labels-subtask-3.txt").write_text("\n".join(st3) + "\n")
    return root
