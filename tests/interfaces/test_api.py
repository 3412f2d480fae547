import json
import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from spinscope.errors import BlockedAddress
from spinscope.ingest import SafeFetcher
from spinscope.interfaces.api import create_app
from spinscope.types import SCHEMA_VERSION
from tests.conftest import FIXTURES
from tests.ingest.server import LocalServer, NoEgress

EVIL = ('Breaking <script>window.pwned=1</script>\n\nThey are corrupt liars <img src=x onerror="alert(1)"> and '
        '<a href="javascript:alert(1)">traitors</a></textarea> who lie and lie.')


class OfflineFetcher(SafeFetcher):
    """Parses and validates URLs like the real one, then refuses before any lookup or socket."""

    def check(self, url):
        raise BlockedAddress(f"network disabled in tests: {url}")


@pytest.fixture(scope="module")
def app(pipeline):
    return create_app(pipeline, fetcher=OfflineFetcher())


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def test_analyze_text_returns_the_schema_document(client, op_ed_text):
    r = client.post("/v1/analyze", json={"text": op_ed_text, "threshold": 0.3})
    assert r.status_code == 200
    doc = r.json()
    assert doc["schema_version"] == SCHEMA_VERSION == "1.6" and doc["threshold"] == 0.3
    # The article as a whole keeps its own threshold: the request's moves sentences and paragraphs.
    assert doc["techniques"] and all(t["detected"] == (t["confidence"] >= t["threshold"]) for t in doc["techniques"])
    assert all(t["threshold"] != 0.3 for t in doc["techniques"])
    assert doc["article"]["title"] == "Riverton Deserves Better Than This Council"
    text = doc["article"]["text"]
    assert all(text[s["start"]:s["end"]] == s["text"] for p in doc["paragraphs"] for s in p["spans"])
    riverton = next(e for e in doc["entities"] if e["text"] == "Riverton")
    assert {text[m["start"]:m["end"]] for m in riverton["mentions"]} == {"Riverton"}


def test_analyze_html_and_language_override(client):
    html = (FIXTURES / "news-page.html").read_text(encoding="utf-8")
    r = client.post("/v1/analyze", json={"html": html, "language": "de"})
    assert r.status_code == 200
    assert r.json()["article"]["language"] == "de" and "Privacy" not in r.json()["article"]["text"]


def test_analyze_url_through_the_safe_fetcher(pipeline, monkeypatch):
    guard = NoEgress(monkeypatch)
    with LocalServer() as server:
        c = TestClient(create_app(pipeline, fetcher=SafeFetcher(allow_private=True)))
        r = c.post("/v1/analyze", json={"url": server.url("/article.html")})
        assert r.status_code == 200, r.text
        assert r.json()["article"]["source_url"] == server.url("/article.html")
        blocked = TestClient(create_app(pipeline)).post("/v1/analyze", json={"url": "http://169.254.169.254/"})
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "E402"
    assert not guard.violations


@pytest.mark.parametrize("body,status,code", [
    ({"text": "   "}, 422, "E108"),
    ({"text": "\u200b\u200b \u202e"}, 422, "E101"),  # invisible marks only: nothing to read
    ({"text": "a", "html": "<p>b</p>"}, 422, "E108"),
    ({}, 422, "E108"),
    ({"text": "a", "threshold": 2}, 422, "E108"),
    ({"text": "a", "language": "xx"}, 422, "E108"),
    ({"url": "/etc/passwd"}, 422, "E108"),  # never read as a local path
    ({"url": "file:///etc/passwd"}, 422, "E108"),
    ({"url": "http://exa mple.org/"}, 422, "E401"),
    ({"text": None}, 422, "E108"),
    ({"url": "http://10.0.0.1/"}, 403, "E402"),  # the offline fetcher refuses every host
    ({"html": "<html><body><nav>Home</nav></body></html>"}, 422, "E107"),
])
def test_errors_are_json_with_codes(client, body, status, code):
    r = client.post("/v1/analyze", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


@pytest.mark.parametrize("body,says", [
    ({"text": "  \n "}, "text: is empty or contains only whitespace"),
    ({"html": ""}, "html: is empty or contains only whitespace"),
    ({"url": "ftp://example.org/a"}, "url: must be an http:// or https:// URL"),
    ({"text": "a", "language": "eng"}, "language: must be a two-letter ISO 639-1 code"),
    ({"text": "a", "html": "<p>b</p>"}, "give exactly one of 'text', 'html' or 'url'"),
    ({}, "give exactly one of 'text', 'html' or 'url'"),
])
def test_a_field_that_breaks_its_pattern_says_what_it_needs_in_words(client, body, says):
    r = client.post("/v1/analyze", json=body)
    assert r.status_code == 422 and r.json()["error"]["code"] == "E108"
    assert r.json()["error"]["message"].startswith(says) and "\\S" not in r.json()["error"]["message"]


@pytest.mark.parametrize("content,kind,says", [
    ("The regime lies.", "text/plain", "not a JSON object"),  # plain text posted as it is
    ("The regime lies.", "application/json", "not valid JSON at character 0"),
    ('"a string"', "application/json", "not a JSON object"),
    ("[1, 2]", "application/json", "not a JSON object"),
    ("{not json", "application/json", "not valid JSON at character 1"),
    ("", "application/json", "has no body"),
])
def test_a_body_that_is_not_a_json_object_says_what_to_send(client, content, kind, says):
    r = client.post("/v1/analyze", content=content, headers={"content-type": kind})
    assert r.status_code == 422 and r.json()["error"]["code"] == "E108"
    message = r.json()["error"]["message"]
    assert says in message and '{"text": "..."}' in message


def test_body_limit_and_timeout(pipeline):
    small = TestClient(create_app(pipeline, max_body_bytes=1000))
    r = small.post("/v1/analyze", json={"text": "x" * 2000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "E502"
    slow = TestClient(create_app(pipeline, timeout_s=0.0001))
    r = slow.post("/v1/analyze", json={"text": "Title\n\n" + "The regime lies. " * 3000})
    assert r.status_code == 504 and r.json()["error"]["code"] == "E501"


def test_report_page_taxonomy_health_and_headers(client):
    r = client.post("/v1/report", json={"text": EVIL, "threshold": 0.0})
    data = r.json()
    assert r.status_code == 200 and set(data) == {"analysis", "body_html", "document_html"}
    for markup in (data["body_html"], data["document_html"]):
        assert "<script>" not in markup and "<img" not in markup and 'href="javascript' not in markup
        assert all(h.startswith("#") for h in re.findall(r'<a href="([^"]*)"', markup))  # its own jumps only
        assert "</textarea>" not in markup and "&lt;script&gt;" in markup
    tax = client.get("/v1/taxonomy").json()
    assert len(tax["techniques"]) == 23 and len(tax["categories"]) == 6 and len(tax["frames"]) == 14
    assert client.get("/healthz").json()["status"] == "ok"
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<script src="/static/app.js"' in page.text and "<script>" not in page.text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/report.css").headers["content-type"].startswith("text/css")


def test_openapi_models_are_the_project_types(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for name in ("Analysis", "Article", "TechniqueSpan", "ParagraphTechniques", "Taxonomy", "ErrorBody"):
        assert name in schemas


# --- schemathesis over every operation ---------------------------------------------------
# Driven through hypothesis directly: schemathesis' pytest plugin does not load under pytest 9.

OPERATIONS = [("POST", "/v1/analyze"), ("POST", "/v1/report"), ("POST", "/v1/render/{fmt}"), ("GET", "/v1/formats"),
              ("GET", "/v1/taxonomy"), ("GET", "/healthz")]


@pytest.fixture(scope="module")
def api_schema(pipeline):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(pipeline, fetcher=OfflineFetcher()))


def test_schema_lists_every_operation(api_schema):
    found = {(r.ok().method.upper(), r.ok().path) for r in api_schema.get_all_operations()}
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("method,path", OPERATIONS)
def test_api_conforms_to_its_schema(api_schema, method, path):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # Schema-valid input may still be refused for its content (a page with no article,
        # an unreachable URL): that is a 4xx by design, so only that one check is left out.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()


def test_render_uses_the_format_registry(client, op_ed_text):
    listed = client.get("/v1/formats").json()
    assert {"text", "json", "html"} <= set(listed)
    r = client.post("/v1/render/text", json={"text": op_ed_text})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text.startswith("spinscope report")
    bad = client.post("/v1/render/docx", json={"text": op_ed_text})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "E112"


def test_json_download_matches_analysis(client):
    r = client.post("/v1/report", json={"text": "Title\n\nThe corrupt regime lies."})
    assert json.loads(json.dumps(r.json()["analysis"]))["article"]["text"] == "Title\n\nThe corrupt regime lies."


def _has_security_headers(r):
    return all(h in r.headers for h in ("content-security-policy", "x-content-type-options", "referrer-policy"))


def test_chunked_oversized_body_is_413_with_security_headers(pipeline):
    small = TestClient(create_app(pipeline, max_body_bytes=1000))

    def chunks():  # no Content-Length: the limit must hold on the stream itself
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 500
        yield b'"}'

    r = small.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "E502"
    assert _has_security_headers(r)
    declared = small.post("/v1/analyze", json={"text": "x" * 2000})
    assert declared.status_code == 413 and _has_security_headers(declared)


def test_a_bug_is_a_json_500_with_security_headers(pipeline):
    class Broken:
        info = pipeline.info

        def __call__(self, *args, **kwargs):
            raise RuntimeError("boom")

    r = TestClient(create_app(Broken()), raise_server_exceptions=False).post("/v1/analyze", json={"text": "T\n\nx"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "E900"
    assert _has_security_headers(r) and "boom" not in r.text


@pytest.mark.parametrize("threshold", [True, "0.5", [0.5]])
def test_threshold_must_be_a_number(client, threshold):
    r = client.post("/v1/analyze", json={"text": "Title\n\nA text.", "threshold": threshold})
    assert r.status_code == 422 and r.json()["error"]["code"] == "E108"


def test_integer_threshold_is_still_accepted(client):
    assert client.post("/v1/analyze", json={"text": "Title\n\nA text.", "threshold": 1}).status_code == 200


def test_docs_page_uses_local_assets_only(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower() and "http" not in r.text.replace("http-equiv", "")
    assert "unsafe-inline" in r.headers["content-security-policy"]
    assert "unsafe-inline" not in client.get("/").headers["content-security-policy"]
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200


def test_a_full_queue_sheds_load_with_503_and_health_stays_fast(pipeline):
    import asyncio
    import threading
    import time

    import httpx

    gate = threading.Event()

    class Slow:
        info = pipeline.info

        def __call__(self, *args, **kwargs):
            gate.wait(10)  # holds the inference thread until the test has seen the queue full
            return pipeline(*args, **kwargs)

    app = create_app(Slow(), max_pending=2)

    async def scenario():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = {"text": "Title\n\nThe corrupt regime lies."}
            held = [asyncio.create_task(client.post("/v1/analyze", json=body)) for _ in range(2)]
            await asyncio.sleep(0.3)
            shed = await client.post("/v1/analyze", json=body)
            t0 = time.perf_counter()
            health = await client.get("/healthz")
            health_s = time.perf_counter() - t0
            gate.set()
            done = await asyncio.gather(*held)
            return shed, health, health_s, done

    shed, health, health_s, done = asyncio.run(scenario())
    assert shed.status_code == 503 and shed.json()["error"]["code"] == "E503"
    assert shed.headers["retry-after"] == "2" and _has_security_headers(shed)
    assert health.status_code == 200 and health_s < 1.0
    assert [r.status_code for r in done] == [200, 200]


def test_a_request_whose_client_has_gone_is_not_computed():
    import asyncio

    from spinscope.interfaces.api import ClientGone, InferenceQueue

    class Gone:
        async def is_disconnected(self):
            return True

    calls = []
    with pytest.raises(ClientGone):
        asyncio.run(InferenceQueue(4).infer(lambda: calls.append(1), Gone()))
    assert calls == []


def test_corpus_page_with_filters_and_clear_errors(pipeline, corpus_store, client):
    served = TestClient(create_app(pipeline, fetcher=OfflineFetcher(), corpus_db=corpus_store))
    r = served.get("/corpus", params=[("by", "outlet"), ("by", "month"), ("since", "2016-02")])
    assert r.status_code == 200 and "default-src 'none'" in r.headers["content-security-policy"]
    assert r.text.count('<img class="plot"') == 5 and 'id="trend"' in r.text
    assert '<option value="month" selected>' in r.text and 'value="2016-02"' in r.text
    assert "&lt;script&gt;" in r.text and "<script>alert" not in r.text
    assert served.get("/static/corpus.css").status_code == 200
    bad = served.get("/corpus", params={"by": "colour"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "cannot group by" in bad.text
    bad_date = served.get("/corpus", params={"since": "spring"})
    assert bad_date.status_code == 422 and "not a date" in bad_date.text
    none = client.get("/corpus")
    assert none.status_code == 404 and "serve --db" in none.text


def test_served_pipeline_explains_unless_serve_was_told_not_to(pipeline, monkeypatch):
    import spinscope.interfaces.api as api

    asked = []
    monkeypatch.setattr(api, "load", lambda model, **kw: asked.append((model, kw)) or pipeline)
    monkeypatch.delenv("SPINSCOPE_EXPLAIN", raising=False)
    monkeypatch.setenv("SPINSCOPE_MODEL", "classic")
    create_app()
    monkeypatch.setenv("SPINSCOPE_EXPLAIN", "0")  # spinscope serve --no-explain
    create_app()
    assert asked == [("classic", {"explain": True}), ("classic", {"explain": False})]
