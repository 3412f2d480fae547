"""REST API and web page (FastAPI). Handlers only translate HTTP to the Python API.

``create_app`` loads the model once; ``spinscope serve`` runs one app per
uvicorn worker. Inference runs in a worker thread with a time limit, so one
slow article does not stall the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import anyio
import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.types import ASGIApp, Receive, Scope, Send

from spinscope import __version__, ingest
from spinscope.corpus.render import STYLESHEET as CORPUS_STYLESHEET
from spinscope.corpus.render import render_corpus_page
from spinscope.corpus.stats import corpus_view
from spinscope.errors import (
    InternalError,
    InvalidOption,
    RequestTooLarge,
    ServiceOverloaded,
    ServiceTimeout,
    SpinscopeError,
)
from spinscope.ingest import SafeFetcher
from spinscope.pipeline import DEFAULT_MODEL, EXPLAIN_ENV, MODEL_ENV, Pipeline, load
from spinscope.report import render_body, render_html
from spinscope.report.formats import formats, get_format
from spinscope.report.html import STYLESHEET
from spinscope.taxonomy import TAXONOMY, Taxonomy
from spinscope.types import Analysis, Article, to_dict

WEB = Path(__file__).parent / "web"
CORPUS_ENV = "SPINSCOPE_CORPUS_DB"  # the store behind /corpus (``serve --db``)
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
MAX_BODY_BYTES = 6 * 1024 * 1024  # a 5 MB article plus JSON escaping
REQUEST_TIMEOUT_S = 60.0
# Requests one worker holds at once (running or queued); beyond them a client is told to retry
# (503 + Retry-After) rather than left waiting in a queue that only grows. bench/load.py, 50
# connections, 2 workers, 800-word articles, this 2-core machine: 4 -> accepted p99 2.05 s,
# 3 -> 2.9-3.1 s, 2 -> 1.99 s with the most accepted requests (3.3/s).
MAX_PENDING = 2
RETRY_AFTER_S = 2
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'")


# Optional fields are typed without ``null`` (their default is simply absent) so that the
# published schema says exactly what is accepted: one non-blank source, no explicit nulls.
class AnalyzeRequest(BaseModel):
    """Exactly one of ``text``, ``html`` or ``url``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["html"]}, {"required": ["url"]}]})
    text: str = Field(None, pattern=r"\S", description="Plain article text.")
    html: str = Field(None, pattern=r"\S", description="A web page; its main text is extracted.")
    url: str = Field(None, pattern=r"^\s*[hH][tT][tT][pP][sS]?://",
                     description="An http(s) URL, fetched with SSRF protection.")
    threshold: float = Field(None, ge=0, le=1, strict=True,
                             description="One confidence threshold for all labels (default: per-label thresholds).")
    language: str = Field(None, pattern=r"^[A-Za-z]{2}$",
                          description="ISO 639-1 language code (en, fr, de, pt, ...); detected when omitted.")

    @model_validator(mode="after")
    def _one_source(self) -> AnalyzeRequest:
        given = [k for k in ("text", "html", "url") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'text', 'html' or 'url'")
        return self


@dataclasses.dataclass(frozen=True)
class Report:
    analysis: Analysis
    body_html: str
    document_html: str


@dataclasses.dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str


@dataclasses.dataclass(frozen=True)
class ErrorBody:
    error: ErrorDetail


@dataclasses.dataclass(frozen=True)
class Health:
    status: str
    version: str
    model: str


def _error(exc: SpinscopeError) -> JSONResponse:
    headers = {"Retry-After": str(RETRY_AFTER_S)} if isinstance(exc, ServiceOverloaded) else None
    return JSONResponse({"error": {"code": exc.code, "message": exc.message}}, status_code=exc.http_status,
                        headers=headers)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes, declared or streamed (chunked), before they are parsed.

    The body is read here first, at most ``limit`` bytes of it, and replayed to the app; so an
    oversized chunked body gets the same 413 as a declared one, never a parser's 400.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = _error(RequestTooLarge(f"request body over the {self.limit:,}-byte limit"))
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await too_big(scope, receive, send)
            return
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > self.limit:
                await too_big(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> dict[str, Any]:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


class SecurityHeaders:
    """Adds the security headers to every response, the server's own 413 and 500 included.

    It wraps the whole application (outside Starlette's error middleware), because
    responses made there never pass through ordinary middleware.
    """

    HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"no-referrer"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in self.HEADERS if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class App(FastAPI):
    """FastAPI with ``SecurityHeaders`` outermost."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await SecurityHeaders(super().__call__)(scope, receive, send)


class ClientGone(Exception):
    """The client disconnected while its request waited: its analysis is skipped."""


class InferenceQueue:
    """At most ``max_pending`` requests admitted per worker; inference one at a time.

    Inference is CPU-bound Python: more threads than cores only make requests share the GIL
    and finish late together, so one thread serves them first come, first served. A request
    whose client has gone by the time its turn comes is dropped, not computed.
    """

    def __init__(self, max_pending: int) -> None:
        self.max_pending, self.pending = max_pending, 0
        self.limiter = anyio.CapacityLimiter(1)

    @contextlib.contextmanager
    def admit(self):  # type: ignore[no-untyped-def]
        if self.pending >= self.max_pending:
            raise ServiceOverloaded(f"the server is busy ({self.pending} requests in hand); retry in {RETRY_AFTER_S}s")
        self.pending += 1
        try:
            yield
        finally:
            self.pending -= 1

    async def infer(self, fn: Callable[[], Analysis], request: Request) -> Analysis:
        async with self.limiter:
            if await request.is_disconnected():
                raise ClientGone
            return await anyio.to_thread.run_sync(fn)


def article_for(req: AnalyzeRequest, fetcher: SafeFetcher) -> Article:
    return ingest.load(text=req.text, html=req.html, url=req.url, fetcher=fetcher)


def create_app(pipeline: Pipeline | None = None, *, fetcher: SafeFetcher | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, timeout_s: float = REQUEST_TIMEOUT_S,
               max_pending: int = MAX_PENDING, corpus_db: str | Path | None = None) -> FastAPI:
    nlp = pipeline or load(os.environ.get(MODEL_ENV, DEFAULT_MODEL), explain=os.environ.get(EXPLAIN_ENV) != "0")
    safe = fetcher or SafeFetcher()
    app = App(title="spinscope", version=__version__, docs_url=None, redoc_url=None,
              description="Persuasion techniques, frames and genre of news articles.")
    queue = InferenceQueue(max_pending)

    async def run(req: AnalyzeRequest, request: Request) -> Analysis:
        async def work() -> Analysis:
            # Fetching and extraction wait on the network: they stay out of the inference queue.
            article = await anyio.to_thread.run_sync(article_for, req, safe)
            return await queue.infer(lambda: nlp(article, threshold=req.threshold, language=req.language), request)

        with queue.admit():
            try:
                return await asyncio.wait_for(work(), timeout_s)
            except TimeoutError as exc:
                raise ServiceTimeout(f"analysis took longer than {timeout_s:.0f}s") from exc

    _analysis_routes(app, run, nlp)
    _page_routes(app)
    _corpus_routes(app, corpus_db or os.environ.get(CORPUS_ENV) or None)
    _error_handlers(app)
    app.add_middleware(BodyLimit, limit=max_body_bytes)
    return app


def _analysis_routes(app: FastAPI, run: Callable[[AnalyzeRequest, Request], Awaitable[Analysis]], nlp: Pipeline) -> None:
    err = {c: {"model": ErrorBody} for c in (403, 413, 422, 502, 503, 504)}

    @app.post("/v1/analyze", response_model=Analysis, responses=err, summary="Analyse one article")
    async def analyze(req: AnalyzeRequest, request: Request) -> Any:
        return JSONResponse(to_dict(await run(req, request)))

    @app.post("/v1/report", response_model=Report, responses=err, summary="Analyse and render as HTML")
    async def report(req: AnalyzeRequest, request: Request) -> Any:
        analysis = await run(req, request)
        return JSONResponse(to_dict(Report(analysis, render_body(analysis, level=2), render_html(analysis))))

    media = sorted({f.media_type for f in formats().values()})
    rendered = {200: {"description": "the report", "content": {m: {} for m in media}}}

    @app.post("/v1/render/{fmt}", responses=err | rendered, response_class=Response,
              summary="Analyse and render in a report format (see /v1/formats)")
    async def render_as(fmt: str, req: AnalyzeRequest, request: Request) -> Response:
        chosen = get_format(fmt)  # an unknown format is refused before any work is done
        return Response(chosen.render(await run(req, request)), media_type=chosen.media_type)

    @app.get("/v1/formats", summary="Report formats, built-in and installed")
    async def list_formats() -> Any:
        return JSONResponse({f.name: {"media_type": f.media_type, "description": f.description}
                             for f in formats().values()})

    @app.get("/v1/taxonomy", response_model=Taxonomy, summary="Techniques, categories, frames, genres")
    async def taxonomy() -> Any:
        return JSONResponse(to_dict(TAXONOMY))

    @app.get("/healthz", response_model=Health)
    async def healthz() -> Any:
        return JSONResponse(to_dict(Health("ok", __version__, f"{nlp.info.name} v{nlp.info.version}")))



def _page_routes(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html")

    @app.get("/static/report.css", include_in_schema=False)
    async def stylesheet() -> FileResponse:
        return FileResponse(STYLESHEET, media_type="text/css")

    @app.get("/static/corpus.css", include_in_schema=False)
    async def corpus_stylesheet() -> FileResponse:
        return FileResponse(CORPUS_STYLESHEET, media_type="text/css")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        # Swagger UI from the fastapi-offline wheel, served here: no CDN. Its page needs an
        # inline bootstrap script, so /docs alone gets a CSP that allows inline code from 'self' pages.
        page = get_swagger_ui_html(openapi_url="/openapi.json", title="spinscope API",
                                   swagger_js_url="/static/docs/swagger-ui-bundle.js",
                                   swagger_css_url="/static/docs/swagger-ui.css",
                                   swagger_favicon_url="/static/docs/favicon.png")
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    app.mount("/static/docs", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=WEB), name="static")



def _corpus_routes(app: FastAPI, db: str | Path | None) -> None:
    @app.get("/corpus", include_in_schema=False)
    async def corpus_page(request: Request) -> HTMLResponse:
        by = tuple(b for b in request.query_params.getlist("by") if b) or ("outlet",)
        values = {k: request.query_params.get(k, "") for k in ("since", "until", "lang", "outlet")}
        if db is None:
            return HTMLResponse(render_corpus_page(None, by, values, "No corpus store: start the server with "
                                                   "spinscope serve --db corpus.duckdb"), status_code=404)
        try:
            report = await anyio.to_thread.run_sync(lambda: corpus_view(db, by, values))
        except SpinscopeError as exc:
            return HTMLResponse(render_corpus_page(None, by, values, f"{exc.code}: {exc}"), status_code=exc.http_status)
        return HTMLResponse(render_corpus_page(report, by, values))


BODY_HINT = 'send a JSON object such as {"text": "..."} (or "html" or "url") with Content-Type: application/json'


# What each ``AnalyzeRequest`` field's pattern asks for, in words.
PATTERN_MEANING = {
    "text": "is empty or contains only whitespace",
    "html": "is empty or contains only whitespace",
    "url": "must be an http:// or https:// URL",
    "language": "must be a two-letter ISO 639-1 code, such as en or fr",
}


def validation_message(error: Mapping[str, Any]) -> str:
    """One line for the first of pydantic's request errors: the field and what is wrong, or, where the
    body itself is not a JSON object, what to send instead (a bare "Input should be a valid
    dictionary" says nothing to someone who posted plain text)."""
    loc = tuple(error.get("loc", ()))
    msg = str(error.get("msg", "invalid request"))
    if error.get("type") == "json_invalid":
        at = f" at character {loc[1]}" if len(loc) > 1 else ""
        return f"the request body is not valid JSON{at} ({error.get('ctx', {}).get('error', msg)}); {BODY_HINT}"
    if loc in ((), ("body",)) and error.get("type") == "missing":
        return f"the request has no body; {BODY_HINT}"
    if loc in ((), ("body",)) and error.get("type") in ("model_attributes_type", "dict_type"):
        return f"the request body is not a JSON object; {BODY_HINT}"
    where = ".".join(str(x) for x in loc if x != "body")
    if error.get("type") == "string_pattern_mismatch" and where in PATTERN_MEANING:
        msg = PATTERN_MEANING[where]  # pydantic would quote the regular expression
    elif error.get("type") == "value_error":
        msg = str(error.get("ctx", {}).get("error", msg))  # our own validator's words, without "Value error, "
    return f"{where}: {msg}" if where else msg


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SpinscopeError)
    async def spinscope_error(_request: Request, exc: SpinscopeError) -> JSONResponse:
        return _error(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(InvalidOption(validation_message(exc.errors()[0] if exc.errors() else {})))

    @app.exception_handler(ClientGone)
    async def client_gone(_request: Request, _exc: ClientGone) -> Response:
        return Response(status_code=499)  # nginx's "client closed request"; nobody reads it

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        return _error(InternalError(f"unexpected {exc.__class__.__name__}; see the server log"))
