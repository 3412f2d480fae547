import gzip
import hashlib
import json
from pathlib import Path

from spinscope.training.english_words import FILE, common_words, main


def test_words_written_in_lowercase_inside_sentences_are_common_and_names_are_not():
    texts = ["History matters. We read history, more history and old history. Black History Month began.",
             "Trump spoke. Aides said Trump would go; the trump card was played by Trump again.",
             "Security rose. The security of security and security. The Department of Homeland Security met."]
    words = common_words(texts)
    assert "history" in words  # 3 lowercase against 1 capitalised ("Black History Month")
    assert "security" in words  # 3 against 1: "Security" opening a sentence is not counted
    assert "trump" not in words  # 1 lowercase against 3 capitalised
    assert "aides" not in words and "we" not in words  # openers are never counted
    assert words == sorted(words)


def test_the_committed_list_matches_its_manifest_and_builds_from_the_command_line_only_with_two_paths():
    folder = Path(__file__).parents[2] / "src" / "spinscope" / "models" / "lexicons" / "en"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data = (folder / FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == manifest["files"][FILE]["sha256"]
    words = gzip.decompress(data).decode("utf-8").split("\n")
    assert len(words) == manifest["files"][FILE]["entries"]
    assert {"history", "violence", "officials"} <= set(words) and not {"pakistan", "trump", "isis"} & set(words)
    assert main([]) == 2
