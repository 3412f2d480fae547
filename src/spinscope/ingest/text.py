"""Turn bytes or a file into an ``Article``: decode, normalise newlines, clean."""

from __future__ import annotations

import codecs
import hashlib
import io
from pathlib import Path
from typing import TextIO

from spinscope.errors import (
    BinaryInput,
    EmptyInput,
    InputTooLarge,
    NoArticleText,
    UndecodableText,
)
from spinscope.ingest.boilerplate import strip_boilerplate
from spinscope.types import Article

MAX_BYTES = 5 * 1024 * 1024
# Article metadata key that carries an uncertain-encoding note; the pipeline turns it into a warning.
ENCODING_NOTE = "encoding_note"
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _is_binary(data: bytes) -> bool:
    """Many C0 control bytes (other than tab, newlines, form feed) mean it is not text."""
    sample = data[:65536]
    controls = sum(1 for b in sample if (b < 32 and b not in (9, 10, 12, 13)) or b == 127)
    return controls > 0.02 * max(1, len(sample))


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark: NUL in every other byte of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) > 0.6 * len(zeros) and other.count(0) < 0.05 * len(other):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return text if text.isprintable() or not _is_binary(text.encode("utf-8")) else None
    return None


def decode_noting(data: bytes, *, max_bytes: int = MAX_BYTES, keep_bom: bool = False,
                  declared: str | None = None) -> tuple[str, str | None]:
    """Like ``decode``, and also say how the encoding was chosen when it was not certain.

    The note is None for a byte-order mark, valid UTF-8 or a declared charset that fits;
    otherwise it names the encoding that was guessed, so the reader can be warned.
    """
    if len(data) > max_bytes:
        raise InputTooLarge(f"input is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
                return ("\ufeff" + text if keep_bom and encoding == "utf-8" else text), None
            except UnicodeDecodeError as exc:
                raise UndecodableText(f"input has a {encoding} byte-order mark but is not {encoding}: {exc.reason}") from exc
    if b"\x00" in data[:65536]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text, "the input has no byte-order mark; it was read as UTF-16 because of its byte pattern"
        raise BinaryInput("input contains NUL bytes; it looks like a binary file, not text")
    if _is_binary(data):
        raise BinaryInput("input is mostly control bytes; it looks like a binary file, not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if declared:
        try:
            return data.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UndecodableText(
            f"input is not UTF-8 (byte {utf8_error.start}: {utf8_error.reason}) and no other text encoding fits"
        )
    return str(best), (f"the input is not valid UTF-8 (byte {utf8_error.start}) and declares no charset; "
                       f"it was read as {best.encoding}, a guess: some characters may be wrong")


def decode(data: bytes, *, max_bytes: int = MAX_BYTES, keep_bom: bool = False, declared: str | None = None) -> str:
    """Decode text bytes; refuse binary, oversized and undecodable input.

    Order: byte-order mark, UTF-8, the ``declared`` charset (HTTP header or
    HTML meta), then charset-normalizer's best guess. ``keep_bom`` keeps a
    UTF-8 byte-order mark as U+FEFF, for formats whose character offsets count
    it (the SemEval files do).
    """
    return decode_noting(data, max_bytes=max_bytes, keep_bom=keep_bom, declared=declared)[0]


HEAD_BYTES = 1 << 20  # what ``may_stream`` looks at; also the size of each read


def may_stream(head: bytes) -> bool:
    """Whether a file that begins with ``head`` (its first 1 MiB) may stream as UTF-8, should all of it be valid."""
    return not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in head and not _is_binary(head)


def open_text(path: Path, *, newline: str) -> TextIO:
    """A text file to read as it is consumed, so memory does not grow with its size.

    Valid UTF-8 (with or without a byte-order mark; checked in one pass of 1 MiB reads)
    streams. Anything else (UTF-16, a legacy charset) is decoded whole by ``decode``,
    which needs all of it to guess, and which refuses binary input.
    """
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
        streams = may_stream(head)
        if streams:
            check = codecs.getincrementaldecoder("utf-8")()
            try:
                chunk = head
                while chunk:
                    check.decode(chunk)
                    chunk = f.read(HEAD_BYTES)
                check.decode(b"", final=True)
            except UnicodeDecodeError:
                streams = False
    if streams:
        return path.open(encoding="utf-8-sig", newline=newline)
    return io.StringIO(decode(path.read_bytes(), max_bytes=2**40), newline=newline)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _has_words(text: str) -> bool:
    return any(c.isalnum() for c in text)


def _title(text: str) -> str | None:
    """SemEval and most scraped articles put the headline alone on the first line."""
    lines = text.split("\n")
    if len(lines) >= 2 and lines[0].strip() and not lines[1].strip() and len(lines[0]) <= 300:
        return lines[0].strip()
    return None


def article_from_text(
    text: str,
    *,
    article_id: str | None = None,
    language: str | None = None,
    source_url: str | None = None,
    clean: bool = True,
    metadata: dict[str, str] | None = None,
    title: str | None = None,
) -> Article:
    """Build an ``Article``; with ``clean`` the boilerplate lines are removed first.

    ``title`` is the page's own headline where the source has one (HTML); otherwise a
    short first line followed by a blank line is taken as the headline."""
    text = normalize_newlines(text)
    if not text.strip():
        raise EmptyInput("input is empty or contains only whitespace")
    # Zero-width and direction marks are not whitespace to str.strip(); without this a text of
    # them alone was analysed, as Khmer.
    if not _has_words(text):
        raise EmptyInput("input holds no letters or digits: only punctuation, symbols or invisible characters")
    meta = dict(metadata or {})
    if clean:
        text, removed = strip_boilerplate(text)
        if removed:
            meta["boilerplate_removed"] = str(len(removed))
        if not _has_words(text):
            raise NoArticleText("input holds only page boilerplate (navigation, sharing or cookie lines)")
    if article_id is None:
        article_id = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return Article(
        id=article_id, text=text, title=title or _title(text), language=language, source_url=source_url, metadata=meta
    )
