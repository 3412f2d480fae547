import numpy as np
import pytest
from click.testing import CliRunner

from spinscope.errors import ScoringMismatch, SemEvalFormatError
from spinscope.evaluation.claims import average_precision, evaluate_ranking, rank_file, read_clef
from spinscope.interfaces.cli import main

GOLD = "1\tA\tWe cut taxes by 3 percent.\t1\n2\tB\tThank you all.\t0\n3\tA\tCrime fell by half.\t1\n4\tB\tGood evening.\t0\n"


def test_average_precision_matches_hand_computed_values():
    assert average_precision(np.array([0.9, 0.8, 0.1]), np.array([1, 0, 1])) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(np.array([0.1, 0.2]), np.array([0, 0])) == 0.0
    assert average_precision(np.array([0.5, 0.4]), np.array([1, 1])) == 1.0


def test_rank_and_evaluate_round_trip(tmp_path):
    gold = tmp_path / "debate.tsv"
    gold.write_text(GOLD)
    assert [r[3] for r in read_clef(gold)] == [1, 0, 1, 0]
    pred = tmp_path / "debate.pred"
    n = rank_file(lambda texts: np.array([float(any(c.isdigit() for c in t) or "half" in t) for t in texts]), gold, pred)
    assert n == 4 and pred.read_text().splitlines()[0] == "1\t1.000000"
    assert evaluate_ranking(gold, pred) == 1.0
    out = CliRunner().invoke(main, ["claims", "evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert out.exit_code == 0 and "average precision 1.0000" in out.output


def test_bad_files_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("1\tonly two columns\n")
    with pytest.raises(SemEvalFormatError, match="bad.tsv:1"):
        read_clef(bad)
    gold = tmp_path / "g.tsv"
    gold.write_text(GOLD)
    short = tmp_path / "short.pred"
    short.write_text("1\t0.5\n")
    with pytest.raises(ScoringMismatch, match="no score for 3 gold lines"):
        evaluate_ranking(gold, short)
    garbled = tmp_path / "garbled.pred"
    garbled.write_text("1\tlots\n")
    with pytest.raises(SemEvalFormatError, match="garbled.pred:1"):
        evaluate_ranking(gold, garbled)
    r = CliRunner().invoke(main, ["claims", "evaluate", "--gold", str(gold), "--pred", str(short)])
    assert r.exit_code == 3 and "E302" in r.output
