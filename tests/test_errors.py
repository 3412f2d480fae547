"""Error codes are part of the interface: scripts branch on them, so they are pinned here."""

import spinscope.errors as e

PINNED = {
    e.EmptyInput: ("E101", 3), e.BinaryInput: ("E102", 3), e.InputTooLarge: ("E103", 3),
    e.UndecodableText: ("E104", 3), e.MissingFile: ("E105", 3), e.EmptyDirectory: ("E106", 3),
    e.NoArticleText: ("E107", 3), e.InvalidOption: ("E108", 3), e.UnreadableDocument: ("E109", 3),
    e.MalformedRecord: ("E110", 3), e.UnreadableFile: ("E111", 3), e.UnknownFormat: ("E112", 3),
    e.ExtraNotInstalled: ("E113", 3), e.ExtractionTimeout: ("E114", 3), e.InternalError: ("E900", 1),
    e.ModelNotFound: ("E201", 5), e.ModelCorrupt: ("E202", 5), e.TrainingDependencyMissing: ("E203", 5),
    e.TrainingDataMismatch: ("E204", 5),
    e.SemEvalFormatError: ("E301", 3), e.ScoringMismatch: ("E302", 3),
    e.MalformedURL: ("E401", 4), e.BlockedAddress: ("E402", 4), e.HTTPErrorStatus: ("E403", 4),
    e.FetchTimeout: ("E404", 4), e.TooManyRedirects: ("E405", 4), e.DisallowedContentType: ("E406", 4),
    e.ResponseTooLarge: ("E407", 4), e.ConnectionFailed: ("E408", 4), e.UnsupportedEncoding: ("E409", 4),
    e.ServiceTimeout: ("E501", 1), e.RequestTooLarge: ("E502", 1), e.ServiceOverloaded: ("E503", 1),
}


def test_codes_and_exit_statuses_are_pinned_and_unique():
    for cls, (code, exit_code) in PINNED.items():
        assert (cls.code, cls.exit_code) == (code, exit_code), cls.__name__
    assert len({c for c, _ in PINNED.values()}) == len(PINNED)
    concrete = {cls for cls in vars(e).values() if isinstance(cls, type) and issubclass(cls, e.SpinscopeError)
                and cls.code != "E000"}
    assert concrete == set(PINNED), "a new error class needs a pinned code here"


def test_str_carries_code_and_message():
    err = e.BlockedAddress("refusing to fetch http://10.0.0.1/: address blocked")
    assert str(err) == "E402: refusing to fetch http://10.0.0.1/: address blocked"
    assert err.message.endswith("address blocked")


FAMILIES = {"1": e.InputError, "2": e.ModelError, "3": e.SemEvalError, "4": e.FetchError, "5": e.ServiceError}


def test_each_code_family_is_one_class():
    for cls in PINNED:
        if cls is not e.InternalError:
            assert issubclass(cls, FAMILIES[cls.code[1]]), f"{cls.__name__} ({cls.code})"


def test_http_status_comes_from_the_class():
    assert (e.BlockedAddress.http_status, e.MalformedURL.http_status, e.FetchTimeout.http_status) == (403, 422, 504)
    assert (e.RequestTooLarge.http_status, e.ServiceOverloaded.http_status, e.HTTPErrorStatus.http_status) == (413, 503, 502)
    assert (e.EmptyInput.http_status, e.SemEvalFormatError.http_status, e.InternalError.http_status) == (422, 422, 500)
