from spinscope import taxonomy as tx
from tests.conftest import SHARED_DATA, needs_shared_data


def test_sizes_and_categories():
    assert len(tx.TECHNIQUES) == 23
    assert len(tx.CATEGORIES) == 6
    assert len(tx.FRAMES) == 14
    assert tx.GENRE_NAMES == ("opinion", "reporting", "satire")
    cats = {c.name for c in tx.CATEGORIES}
    assert {t.category for t in tx.TECHNIQUES} == cats
    for t in tx.TECHNIQUES:
        assert t.definition.endswith(".") and t.cue


def test_semeval2020_mapping_targets_are_2023_names():
    assert len(tx.SEMEVAL2020_TO_2023) == 14
    for targets in tx.SEMEVAL2020_TO_2023.values():
        assert targets and all(t in tx.TECHNIQUE_NAMES for t in targets)
    assert tx.SEMEVAL2020_TO_2023["Thought-terminating_Cliches"] == ("Conversation_Killer",)


@needs_shared_data()
def test_names_match_official_lists():
    techniques = (SHARED_DATA / "techniques_subtask3.txt").read_text().split()
    frames = (SHARED_DATA / "frames_subtask2.txt").read_text().split()
    assert sorted(techniques) == sorted(tx.TECHNIQUE_NAMES) and len(techniques) == 23
    assert tuple(frames) == tx.FRAME_NAMES
