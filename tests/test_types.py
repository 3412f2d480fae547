import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from spinscope.types import (
    SCHEMA_VERSION,
    Analysis,
    AnalysisWarning,
    Article,
    FrameScore,
    Genre,
    ModelInfo,
    Paragraph,
    ParagraphTechniques,
    Sentence,
    TechniqueScore,
    TechniqueSpan,
    json_schema,
)

SCHEMA_FILE = Path(__file__).parents[1] / "schema" / "analysis.schema.json"


def _analysis() -> Analysis:
    text = "Title\n\nThey are <b>traitors</b> & liars."
    para = Paragraph(index=3, start=7, end=len(text))
    span = TechniqueSpan("Name_Calling-Labeling", 16, 24, 0.8125, "traitors", 3, ("traitors",), "why")
    return Analysis(
        article=Article("a1", text, "Title", "en", None, {"path": "x.txt"}),
        paragraphs=(ParagraphTechniques(para, (TechniqueScore("Name_Calling-Labeling", 0.8125, True),), (span,)),),
        sentences=(Sentence(7, len(text), 3),),
        genre=Genre("opinion", {"opinion": 0.7, "reporting": 0.2, "satire": 0.1}),
        frames=(FrameScore("Political", 0.61, True), FrameScore("Economic", 0.1, False)),
        model=ModelInfo("m", "1", "classic"),
        threshold=None,
        warnings=(AnalysisWarning("W104", "w"),),
    )


def test_json_round_trip_is_lossless():
    a = _analysis()
    back = Analysis.from_json(a.to_json())
    assert back == a
    assert back.to_json() == a.to_json()
    assert isinstance(back.paragraphs, tuple) and isinstance(back.paragraphs[0].spans[0].cues, tuple)


def test_results_are_frozen():
    a = _analysis()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.genre = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.article.metadata["path"] = "y"  # type: ignore[index]


def test_offsets_are_validated():
    with pytest.raises(ValueError):
        Paragraph(1, 5, 2)
    with pytest.raises(ValueError):
        TechniqueSpan("Doubt", -1, 3, 0.5, "x", 1)


def test_published_schema_matches_code_and_validates_output():
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert published == json_schema(), "regenerate with: python -m spinscope.schema > schema/analysis.schema.json"
    doc = json.loads(_analysis().to_json())
    jsonschema.validate(doc, published)
    assert doc["schema_version"] == SCHEMA_VERSION
    doc["paragraphs"][0]["spans"][0]["start"] = "16"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, published)


def test_warnings_are_coded_objects_and_old_string_warnings_still_load():
    doc = json.loads(_analysis().to_json())
    assert doc["warnings"] == [{"code": "W104", "message": "w"}]
    doc["warnings"] = ["an old warning"]
    back = Analysis.from_json(json.dumps(doc))
    assert back.warnings == (AnalysisWarning("W100", "an old warning"),)


def test_technique_counts_and_spans():
    a = _analysis()
    assert a.technique_counts() == {"Name_Calling-Labeling": 1}
    assert [s.text for s in a.spans] == ["traitors"]
    assert [f.frame for f in a.detected_frames] == ["Political"]
