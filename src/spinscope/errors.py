"""One error hierarchy with stable codes.

Every error a user can cause carries a code (``E1xx`` input, ``E2xx`` models,
``E3xx`` SemEval files, ``E4xx`` fetching, ``E5xx`` web service) and maps to a CLI exit status and
an HTTP status (``http_status``), so scripts can branch on either without parsing messages. Each
code family is one class (``InputError``, ``ModelError``, ``SemEvalError``, ``FetchError``,
``ServiceError``).
"""

from __future__ import annotations

# Warning codes: the analysis ran, but a reader should know how far to trust it.
W_ENCODING = "W101"  # the text's encoding was guessed
W_LANGUAGE_MISMATCH = "W102"  # --lang disagrees with what the text looks like
W_LANGUAGE_UNSURE = "W103"  # language detection is unsure
W_LANGUAGE_UNTRAINED = "W104"  # no training data in this language
W_TRUNCATED = "W105"  # only the beginning of a very long article was analysed
W_NO_CLAIMS_HEAD = "W106"  # the model has no check-worthiness head
W_LAYOUT = "W107"  # a PDF's layout could not be read: its lines may be cut into paragraphs wrongly
W_SHORT = "W108"  # shorter than any training article: genre and frames say little


class SpinscopeError(Exception):
    """Base class. ``code`` is stable across releases; the message is for people."""

    code = "E000"
    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class InputError(SpinscopeError):
    """The input cannot be analysed (CLI exit status 3)."""

    exit_code = 3
    http_status = 422


class EmptyInput(InputError):
    code = "E101"


class BinaryInput(InputError):
    code = "E102"


class InputTooLarge(InputError):
    code = "E103"


class UndecodableText(InputError):
    code = "E104"


class MissingFile(InputError):
    code = "E105"


class EmptyDirectory(InputError):
    code = "E106"


class NoArticleText(InputError):
    code = "E107"


class InvalidOption(InputError):
    code = "E108"


class UnknownFormat(InvalidOption):
    """A report format that no built-in renderer or installed package provides."""

    code = "E112"


class ExtraNotInstalled(InputError):
    """A feature whose optional dependencies (a pip extra) are not installed."""

    code = "E113"


class ExtractionTimeout(InputError):
    """Extracting the article from a page took longer than its time budget; the work was stopped."""

    code = "E114"


class MalformedRecord(InputError):
    """A batch input record (JSONL line or CSV row) that is not a usable object."""

    code = "E110"


class UnreadableFile(InputError):
    """A file that exists but cannot be read (permissions, I/O error)."""

    code = "E111"


class UnreadableDocument(InputError):
    """A PDF (or other container) that cannot be opened or holds no text layer."""

    code = "E109"


class FetchError(SpinscopeError):
    """A URL was refused or could not be fetched (CLI exit status 4)."""

    exit_code = 4
    http_status = 502


class MalformedURL(FetchError):
    code = "E401"
    http_status = 422


class BlockedAddress(FetchError):
    code = "E402"
    http_status = 403


class HTTPErrorStatus(FetchError):
    """The server answered with an error status."""

    code = "E403"


class FetchTimeout(FetchError):
    code = "E404"
    http_status = 504


class TooManyRedirects(FetchError):
    code = "E405"


class DisallowedContentType(FetchError):
    code = "E406"


class ResponseTooLarge(FetchError):
    code = "E407"


class ConnectionFailed(FetchError):
    code = "E408"


class UnsupportedEncoding(FetchError):
    """Stacked, unknown or corrupt ``Content-Encoding``: refused rather than decoded blindly."""

    code = "E409"


class ServiceError(SpinscopeError):
    """The web service refused or gave up on a request."""


class ServiceTimeout(ServiceError):
    """The web service gave up on a request that took longer than its time limit."""

    code = "E501"
    http_status = 504


class ServiceOverloaded(ServiceError):
    """The web service's queue is full: try again shortly (HTTP 503 with Retry-After)."""

    code = "E503"
    http_status = 503


class RequestTooLarge(ServiceError):
    """A web request body over the service's size limit."""

    code = "E502"
    http_status = 413


class InternalError(SpinscopeError):
    """An unexpected failure on one input: a bug. Batch records it and carries on."""

    code = "E900"


def as_spinscope_error(exc: BaseException) -> SpinscopeError:
    """``exc`` itself, or an ``InternalError`` naming it, for a record that must not stop a batch."""
    if isinstance(exc, SpinscopeError):
        return exc
    return InternalError(f"unexpected {exc.__class__.__name__}: {exc}"[:500])


class ModelError(SpinscopeError):
    """A model directory is missing, incomplete or inconsistent (exit status 5)."""

    exit_code = 5


class ModelNotFound(ModelError):
    code = "E201"


class ModelCorrupt(ModelError):
    code = "E202"


class TrainingDependencyMissing(ModelError):
    code = "E203"


class TrainingDataMismatch(ModelError):
    """A head refit on data other than its model's: the model must be retrained whole."""

    code = "E204"


class SemEvalError(SpinscopeError):
    """A SemEval file cannot be used (CLI exit status 3, like other bad input)."""

    exit_code = 3
    http_status = 422


class SemEvalFormatError(SemEvalError):
    """A SemEval article, label, template or prediction file is malformed."""

    code = "E301"


class ScoringMismatch(SemEvalError):
    """Gold and prediction files do not cover the same items."""

    code = "E302"
