"""Model card: every saved model carries one, generated from its manifest."""

from __future__ import annotations

from typing import Any


def metrics_table(metrics: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """Markdown rows for ``{task: {language: {micro_f1, macro_f1, n}}}``."""
    lines = ["| task | language | micro-F1 | macro-F1 | items |", "|---|---|---|---|---|"]
    for task, rows in metrics.items():
        for lang, r in rows.items():
            lines.append(f"| {task} | {lang} | {r['micro_f1']:.3f} | {r['macro_f1']:.3f} | {r['n']} |")
    return lines


def model_card(manifest: dict[str, Any]) -> str:
    m = manifest
    lines = [
        f"# {m['name']} v{m['version']} ({m['kind']})",
        "",
        "Persuasion techniques (23, per paragraph), frames (14) and genre (3) for news articles,",
        "trained by `spinscope train` on the SemEval-2023 Task 3 training data.",
        "",
        "## Provenance",
        f"- Training data: {m['training_data']['source']}; sha256 `{m['training_data']['sha256']}`.",
        f"- {m['training_data']['articles_subtasks_1_2']} articles (genre, frames), "
        f"{m['training_data']['paragraphs_subtask_3']} paragraphs (techniques).",
        f"- Licence: {m['licence']}.",
        f"- Training time: {m['training_seconds']} s on the machine that produced it.",
        "",
        "## Method",
        "Word 1-2-gram and character 3-5-gram TF-IDF features (one vocabulary), linear",
        "one-vs-rest heads for techniques (with down-weighted neighbouring-paragraph",
        "features) and frames, a multinomial head for genre. Scores are Platt-calibrated",
        "and each label has its own threshold, chosen on out-of-fold scores.",
        "",
        f"Configuration: `{m['config']}`",
        "",
        "## Cross-validation",
        f"Protocol: {m['cv_protocol']}.",
        "",
        *metrics_table(m["cv_metrics"]),
    ]
    lines += ["", "## Label problems found in the training data"]
    if m["label_problems"]:
        for p in m["label_problems"]:
            fate = f"repaired to `{p['repaired_to']}`" if p["repaired_to"] else "dropped"
            lines.append(f"- `{p['label']}` ({p['where']}): {fate}")
    else:
        lines.append("- none")
    lines += [
        "",
        "## Limits",
        "- English training articles are 88% opinion; expect lower quality on news reporting.",
        "- Satire has few examples in every language; genre calls of satire are unreliable.",
        "- Spans are located from the paragraph decision and the words that weigh most for the",
        "  technique; they are a pointer for the reader, not a trained span model.",
        "- Languages without training data (e.g. es, el, ka) get the same multilingual model with a warning.",
        "",
    ]
    return "\n".join(lines)
