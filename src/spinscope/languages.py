"""Language codes and detection.

SemEval folders use ``ge``, ``po`` and ``gr`` where ISO 639-1 says ``de``,
``pl`` and ``el``; everything inside spinscope uses ISO 639-1.
"""

from __future__ import annotations

from functools import lru_cache

from spinscope.errors import InvalidOption

# Languages with labelled training data.
TRAINED: tuple[str, ...] = ("en", "fr", "de", "it", "pl", "ru")
# SemEval-2023 test languages without training data ("surprise" languages).
SURPRISE: tuple[str, ...] = ("es", "el", "ka")
KNOWN: tuple[str, ...] = TRAINED + SURPRISE

_FOLDER_CODES = {"ge": "de", "po": "pl", "gr": "el"}


def normalize(code: str) -> str:
    """ISO 639-1 code for an ISO or SemEval folder code; raises InvalidOption otherwise.

    Any language the detector knows is accepted (``pt``, ``nl``, ...): those without
    training data are analysed by the multilingual model with a warning.
    """
    c = code.strip().lower()
    c = _FOLDER_CODES.get(c, c)
    if c not in KNOWN and c not in detectable():
        raise InvalidOption(
            f"unknown language code {code!r}; use an ISO 639-1 code such as {', '.join(KNOWN)} "
            f"(or the SemEval folder codes {', '.join(_FOLDER_CODES)})"
        )
    return c


def detectable() -> frozenset[str]:
    """The ISO 639-1 codes the language detector can return."""
    return frozenset(str(c) for c in _identifier().nb_classes)


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str, float]:
    """Most likely ISO 639-1 language of ``text`` and its probability."""
    lang, prob = _identifier().classify(text[:20000])
    return str(lang), float(prob)
