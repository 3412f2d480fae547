import csv
import io

import pytest

from spinscope.errors import UnknownFormat
from spinscope.report import render
from spinscope.report.formats import CLAIMS_CSV_COLUMNS, formats


def test_registry_lists_every_format_and_refuses_unknown_ones(pipeline):
    assert list(formats()) == ["text", "json", "html", "claims-csv"]
    with pytest.raises(UnknownFormat, match="unknown report format 'docx'"):
        render(pipeline("Some text here."), "docx")


def test_claims_csv_has_one_row_per_checkworthy_claim_and_defuses_formulas(pipeline):
    text = ("Officials said that 40,000 refugees crossed the border in the first six months of the year.\n\n"
            "=HYPERLINK(\"http://evil.example\") The council voted 9 to 4 on Tuesday to close the library.\n\n"
            "We must stand together!")
    a = pipeline(text)
    rows = list(csv.reader(io.StringIO(render(a, "claims-csv"))))
    assert tuple(rows[0]) == CLAIMS_CSV_COLUMNS
    body = rows[1:]
    assert len(body) == len(a.checkworthy_claims) >= 1
    assert body[0][2] == "vague" and body[0][3] == "Officials" and body[0][5] == "1"
    assert all(not r[0].startswith("=") for r in body)
