"""Screenshot the web page with an article analysed (Debian chromium + Playwright).

Usage: python docs/screenshot.py ARTICLE.txt OUT.png [--width 1100] [--height 1500]

Starts the app on a free loopback port, pastes the article, waits for the
report, focuses the first highlight (to show a tooltip) and saves a PNG.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

import spinscope
from spinscope.interfaces.api import create_app

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("article")
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=1100)
    ap.add_argument("--height", type=int, default=1500)
    args = ap.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(create_app(spinscope.load()), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=FLAGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("#text", Path(args.article).read_text(encoding="utf-8"))
            page.click("#submit")
            page.wait_for_selector("#status:has-text('Done:')", timeout=60000)
            page.locator("#result h2").first.scroll_into_view_if_needed()
            marks = page.locator("#result mark")
            if marks.count():
                marks.nth(min(1, marks.count() - 1)).focus()
            page.screenshot(path=args.out)
            browser.close()
    finally:
        server.should_exit = True
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
