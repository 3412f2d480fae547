"""The web page in real headless Chromium (Debian's package, driven by Playwright).

Screenshots go to ``artifacts/`` (not committed). Skips with the reason when
Chromium or Playwright is missing; ``.ci/run`` installs Chromium so CI runs it.
"""

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parents[2] / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright (the [test] extra) is not installed")


@pytest.fixture(scope="module")
def base_url(pipeline, corpus_store):
    import uvicorn

    from spinscope.interfaces.api import create_app

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    app = create_app(pipeline, corpus_db=corpus_store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _analyse(page, base_url, text, threshold=None):
    page.goto(base_url + "/")
    page.fill("#text", text)
    if threshold is not None:
        page.fill("#threshold", str(threshold))
    page.click("#submit")
    page.wait_for_selector("#status:has-text('Done:')", timeout=30000)


def test_paste_highlight_filter_slider_tooltip(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    marks = page.locator("#result mark")
    assert marks.count() > 0
    assert "technique detections" in page.locator("#result .summary").inner_text()
    assert "Genre:" in page.locator("#result .meta").first.inner_text()
    assert page.locator("#result .legend .swatch").count() == 6
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser-analysed.png"), full_page=True)

    first = marks.first
    categories = set(first.get_attribute("data-categories").split())  # a sentence can carry several
    for category in categories:
        page.locator(f"#categories input[value='{category}']").uncheck()
    assert "off" in (first.get_attribute("class") or "")
    for category in categories:
        page.locator(f"#categories input[value='{category}']").check()
    assert "off" not in (first.get_attribute("class") or "")

    technique = first.get_attribute("data-techniques").split()[0]
    page.select_option("#technique", technique)
    visible = page.locator("#result mark:not(.off)")
    assert visible.count() >= 1
    for i in range(visible.count()):
        assert technique in visible.nth(i).get_attribute("data-techniques").split()
    page.select_option("#technique", "")

    page.locator("#confidence").fill("1")
    assert page.locator("#result mark:not(.off)").count() == 0
    assert page.locator("#confidence-value").inner_text() == "100%"
    page.locator("#confidence").fill("0")

    first.focus()  # keyboard users get the same tooltip as mouse users
    tip = page.evaluate("el => getComputedStyle(el, '::after').content", first.element_handle())
    assert "%" in tip and len(tip) > 20
    page.screenshot(path=str(ARTIFACTS / "browser-tooltip.png"))

    assert page.locator("#download-json").get_attribute("href").startswith("blob:")
    assert page.locator("#download-html").get_attribute("href").startswith("blob:")


def test_malicious_article_runs_no_script(page, base_url):
    evil = (
        "Breaking <script>window.__pwned = 1</script> news\n\n"
        "They are corrupt liars <img src=x onerror=\"window.__pwned = 2\"> and "
        "<a href=\"javascript:window.__pwned=3\">traitors</a></textarea><svg onload=\"window.__pwned=4\"></svg> "
        "who lie and lie.\n\n\"><script>window.__pwned=5</script>"
    )
    _analyse(page, base_url, evil, threshold=0.0)
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#result script, #result img, #result svg").count() == 0
    # The only links are the report's own jumps to its highlights.
    hrefs = page.locator("#result a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "<script>window.__pwned = 1</script>" in page.locator("#result article").inner_text()


def test_errors_are_shown(page, base_url):
    page.goto(base_url + "/")
    page.click("#submit")
    assert "Give a link" in page.locator("#status").inner_text()
    page.fill("#url", "http://169.254.169.254/latest/meta-data/")
    page.click("#submit")
    page.wait_for_selector("#status.error:has-text('E402')", timeout=10000)


def test_fixture_page_html_report_is_standalone(page, base_url, tmp_path):
    import spinscope
    from spinscope.report import render_html

    html = render_html(spinscope.load()((FIXTURES / "op-ed.txt").read_text()))
    f = tmp_path / "report.html"
    f.write_text(html)
    page.goto(f.as_uri())
    assert page.locator("mark").count() > 0
    assert page.locator(".swatch").count() == 6


def test_api_docs_render_offline(page, base_url):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(base_url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30000)
    assert page.locator(".swagger-ui .opblock").count() >= 4  # analyze, report, taxonomy, healthz
    outside = [u for u in requested if not u.startswith(base_url) and not u.startswith("data:")]
    assert outside == [], f"/docs loaded external resources: {outside}"


def test_page_shows_claims_and_their_sourcing(page, base_url):
    text = ("Officials said that 40,000 refugees crossed the border in the first six months of the year.\n\n"
            "The council voted 9 to 4 on Tuesday to close the central library.\n\n"
            "We must stand together and demand better!")
    _analyse(page, base_url, text)
    summary = page.locator("#result .claims .sourcing").inner_text()
    assert "2 check-worthy claims" in summary and "1 from vague sources" in summary and "1 unsourced" in summary
    items = page.locator("#result .claims li")
    assert items.count() == 2
    badge = page.locator("#result .claims li[data-kind='vague'] .src")
    assert badge.inner_text() == "vague" and "Officials" in badge.get_attribute("title")
    badge.focus()
    assert page.evaluate("document.activeElement.classList.contains('src')")


def test_weak_sourcing_filter_keeps_unsourced_and_vague_claims(page, base_url):
    text = ("Officials said that 40,000 refugees crossed the border in the first six months of the year.\n\n"
            "The mayor said the council voted 9 to 4 on Tuesday to close the central library.\n\n"
            "Unemployment rose to 7.4 percent in March, up from 6.1 percent a year earlier.")
    _analyse(page, base_url, text)
    marked = page.locator("#result article .claim")
    assert marked.count() >= 3
    page.locator("#weak-sourcing").check()
    shown = page.locator("#result .claims li:not(.off)")
    kinds = {shown.nth(i).get_attribute("data-kind") for i in range(shown.count())}
    assert kinds and kinds <= {"none", "vague"}
    assert page.locator("#result .claims li.off[data-kind='named']").count() >= 1
    page.locator("#weak-sourcing").uncheck()
    assert page.locator("#result .claims li.off").count() == 0


def test_page_lists_the_targets(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    targets = page.locator("#result section.targets")
    assert targets.locator("h2").inner_text() == "Targets"
    assert targets.locator("li").first.get_attribute("data-entity") == "Riverton"


def test_corpus_page_draws_offline_and_filters(page, base_url):
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(base_url + "/corpus")
    plots = page.locator("img.plot")
    assert plots.count() == 4  # no trend until a period is chosen
    assert all(plots.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(plots.count()))
    assert page.locator("#techniques table").first.is_visible()
    if AXE.is_file():
        assert _axe(page) == []
    page.select_option("select >> nth=1", "month")
    page.fill("input[name=outlet]", "A")
    page.click("form.filters button")
    page.wait_for_selector("#trend img.plot")
    assert "30 articles" in page.locator(".summary").inner_text()
    outside = [u for u in requested if not u.startswith(base_url) and not u.startswith("data:")]
    assert outside == [], f"/corpus loaded external resources: {outside}"
    page.screenshot(path=str(ARTIFACTS / "browser-corpus.png"), full_page=True)


def test_results_are_announced_focused_and_one_tab_from_a_detection(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    assert "technique detections in" in page.locator("#status").inner_text()
    assert page.evaluate("() => document.activeElement.classList.contains('title')")
    for _ in range(3):
        page.keyboard.press("Tab")
        href = page.evaluate("() => document.activeElement.getAttribute('href') || ''")
        if href.startswith("#d") or page.evaluate("() => /^d\\d+$/.test(document.activeElement.id)"):
            break
    else:
        raise AssertionError("no detection within 3 Tabs of the results heading")
    assert page.locator("#submit").get_attribute("aria-disabled") is None


def test_escape_closes_the_explanation(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    mark = page.locator("#result mark[id]").first
    mark.focus()
    tip = "m => getComputedStyle(m, '::after').content"
    assert mark.evaluate(tip) not in ("none", "normal", "")
    page.keyboard.press("Escape")
    assert mark.evaluate(tip) in ("none", "normal")


def test_categories_stay_apart_in_forced_colours_and_nothing_scrolls_sideways_at_320px(browser, base_url, op_ed_text):
    context = browser.new_context(viewport={"width": 320, "height": 800}, forced_colors="active")
    page = context.new_page()
    try:
        _analyse(page, base_url, op_ed_text)
        styles = page.locator("#result .u").evaluate_all(
            "us => us.map(u => [[...u.classList].find(c => c.startsWith('cat-')),"
            " getComputedStyle(u).textDecorationStyle + ' ' + getComputedStyle(u).textDecorationLine])")
        by_category = dict(styles)
        assert len(by_category) >= 2 and len(set(by_category.values())) == len(by_category), by_category
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_a_link_and_text_together_are_refused_not_silently_chosen(page, base_url):
    page.goto(base_url + "/")
    page.fill("#url", "https://example.invalid/story")
    page.fill("#text", "Some article text.")
    page.click("#submit")
    assert "not both" in page.locator("#status").inner_text()
    assert page.locator("#url").get_attribute("aria-invalid") is not None
    assert page.locator("#text").get_attribute("aria-describedby") == "status"


def test_the_shown_count_follows_the_slider(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    total = page.locator("#result mark[id]").count()
    assert page.locator("#filter-status").inner_text() == f"Showing {total} of {total} highlights."
    page.locator("#confidence").fill("1")
    assert page.locator("#filter-status").inner_text() == f"Showing 0 of {total} highlights at 100% or more."
    assert page.locator("#confidence").get_attribute("aria-valuetext") == "100%"
    assert page.locator("#result .detections li:not([hidden])").count() == 0


AXE = Path(__file__).parents[2] / ".axe" / "node_modules" / "axe-core" / "axe.min.js"


def _axe(page) -> list[str]:
    """axe-core's violations on the current page, every rule (best-practice included)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # through the devtools protocol: the page's CSP allows no inline script
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                          ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return found


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (.ci/run: npm install --prefix .axe axe-core)")
def test_axe_finds_nothing_on_the_page_the_results_and_the_report(page, base_url, op_ed_text, tmp_path, pipeline):
    from spinscope.report import render

    page.goto(base_url + "/")
    assert _axe(page) == []
    _analyse(page, base_url, op_ed_text)
    assert _axe(page) == []
    report = tmp_path / "report.html"
    report.write_text(render(pipeline(op_ed_text), "html"), encoding="utf-8")
    page.goto(report.as_uri())
    assert _axe(page) == []


def test_next_and_previous_step_through_the_detections_and_links_lead_back(page, base_url, op_ed_text):
    _analyse(page, base_url, op_ed_text)
    ids = page.locator("#result mark[id]").evaluate_all("ms => ms.map(m => m.id)")
    page.click("#next")
    assert page.evaluate("() => document.activeElement.id") == ids[0]
    page.click("#next")
    assert page.evaluate("() => document.activeElement.id") == ids[1]
    page.click("#previous")
    assert page.evaluate("() => document.activeElement.id") == ids[0]
    back = page.locator("#result a.back").first
    assert back.get_attribute("href") == "#detections-h"
    assert page.locator("#detections-h").count() == 1


def test_corpus_report_file_draws_offline(page, corpus_store, tmp_path):
    from spinscope.corpus.render import render_corpus_html
    from spinscope.corpus.stats import corpus_report

    report = tmp_path / "corpus.html"
    report.write_text(render_corpus_html(corpus_report(corpus_store, "outlet", "month")), encoding="utf-8")
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(report.as_uri())
    plots = page.locator("img.plot")
    assert plots.count() == 5
    assert all(plots.nth(i).evaluate("i => i.complete && i.naturalWidth > 0") for i in range(plots.count()))
    assert page.locator("#targets td").first.inner_text() == "ruritania"
    assert [u for u in requested if not u.startswith(("file:", "data:"))] == []
    if AXE.is_file():
        assert _axe(page) == []
