// spinscope page: sends the article to /v1/report, shows the server-rendered report,
// and filters it in place. Article text only ever arrives as server-escaped HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let taxonomy = null;
  let blobs = [];

  async function loadTaxonomy() {
    if (!taxonomy) taxonomy = await (await fetch("/v1/taxonomy")).json();
    return taxonomy;
  }

  function setStatus(text, isError, field) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
    for (const id of ["url", "text"]) {
      const bad = isError && (field === id || field === "both");
      $(id).toggleAttribute("aria-invalid", bad);
      if (bad) $(id).setAttribute("aria-describedby", "status");
      else $(id).removeAttribute("aria-describedby");
    }
  }

  // Which field an error code is about: fetching (E4xx) is the link's, reading input (E1xx) the text's.
  function fieldOf(code) {
    return code && code.startsWith("E4") ? "url" : code && code.startsWith("E1") ? (usedUrl ? "url" : "text") : null;
  }
  let usedUrl = false;

  function download(id, content, type) {
    const url = URL.createObjectURL(new Blob([content], { type }));
    blobs.push(url);
    $(id).href = url;
  }

  function buildFilters(tax) {
    const box = $("categories");
    box.querySelectorAll("label").forEach((l) => l.remove());
    for (const c of tax.categories) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = c.name;
      input.addEventListener("change", applyFilters);
      const swatch = document.createElement("i");
      swatch.className = "swatch cat-" + c.name;
      label.append(input, " ", swatch, c.label);
      box.append(label);
    }
    const select = $("technique");
    select.querySelectorAll("option:not([value=''])").forEach((o) => o.remove());
    for (const t of tax.techniques) {
      const o = document.createElement("option");
      o.value = t.name;
      o.textContent = t.label;
      select.append(o);
    }
  }

  function applyFilters() {
    const cats = new Set([...$("categories").querySelectorAll("input:checked")].map((i) => i.value));
    const only = $("technique").value;
    const min = parseFloat($("confidence").value);
    const pct = Math.round(min * 100) + "%";
    $("confidence-value").textContent = pct;
    $("confidence").setAttribute("aria-valuetext", pct);
    let shown = 0, total = 0;
    document.querySelectorAll("#result mark").forEach((m) => {
      const techs = m.dataset.techniques.split(" ");
      const catsOf = m.dataset.categories.split(" ");
      const confs = m.dataset.confidences.split(" ").map(parseFloat);
      const visible = techs.some((t, i) => cats.has(catsOf[i]) && (!only || t === only) && confs[i] >= min);
      m.classList.toggle("off", !visible);
      if (m.id) {  // a detection's first mark: its one Tab stop, and what the counts count
        m.tabIndex = visible ? 0 : -1;
        total += 1;
        shown += visible ? 1 : 0;
      }
    });
    document.querySelectorAll("#result .detections li").forEach((li) => {
      const target = document.getElementById(li.firstElementChild.getAttribute("href").slice(1));
      li.hidden = !target || target.classList.contains("off");
    });
    $("filter-status").textContent = "Showing " + shown + " of " + total + " highlights" +
      (min > 0 ? " at " + pct + " or more." : ".");
    const weakOnly = $("weak-sourcing").checked;
    document.querySelectorAll("#result .claims li, #result .claim").forEach((c) => {
      const weak = c.dataset.kind === "none" || c.dataset.kind === "vague";
      c.classList.toggle("off", weakOnly && !weak);
    });
  }

  async function submit(event) {
    event.preventDefault();
    if ($("submit").getAttribute("aria-disabled") === "true") return;
    const url = $("url").value.trim();
    const text = $("text").value;
    if (!url && !text.trim()) {
      setStatus("Give a link or paste the article text.", true, "both");
      return;
    }
    if (url && text.trim()) {
      setStatus("Give either a link or the article text, not both: clear one of them.", true, "both");
      return;
    }
    usedUrl = Boolean(url);
    const body = url ? { url } : { text };
    const threshold = $("threshold").value;
    if (threshold !== "") body.threshold = parseFloat(threshold);
    setStatus("Analysing…", false);
    $("submit").setAttribute("aria-disabled", "true");
    $("result").classList.add("stale");
    try {
      const [tax, response] = await Promise.all([
        loadTaxonomy(),
        fetch("/v1/report", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
      ]);
      const data = await response.json();
      if (!response.ok) {
        const code = data.error && data.error.code;
        clearResults();
        setStatus(code ? data.error.message + " (" + code + ")" : "The analysis failed.", true, fieldOf(code));
        return;
      }
      $("result").innerHTML = data.body_html; // server-rendered; every article string is escaped there
      blobs.forEach(URL.revokeObjectURL);
      blobs = [];
      download("download-json", JSON.stringify(data.analysis, null, 2), "application/json");
      download("download-html", data.document_html, "text/html");
      buildFilters(tax);
      $("controls").hidden = false;
      applyFilters();
      $("result").classList.remove("stale");
      const summary = $("result").querySelector(".summary");
      setStatus("Done: " + (summary ? summary.textContent : "analysed."), false);
      const title = $("result").querySelector(".title");
      if (title) title.focus();
    } catch (err) {
      clearResults();
      setStatus("The server could not be reached.", true);
    } finally {
      $("submit").removeAttribute("aria-disabled");
    }
  }

  // Moves focus to the next (step 1) or previous (step -1) shown detection, from the one in focus.
  function jump(step) {
    const marks = [...document.querySelectorAll("#result mark[id]:not(.off)")];
    if (!marks.length) return;
    const at = marks.indexOf(document.activeElement);
    const next = at < 0 ? (step > 0 ? 0 : marks.length - 1) : (at + step + marks.length) % marks.length;
    marks[next].focus();
    lastMark = marks[next];
  }
  let lastMark = null;

  function clearResults() {
    $("result").innerHTML = "";
    $("result").classList.remove("stale");
    $("controls").hidden = true;
  }

  // Escape closes the explanation of the highlight under focus or pointer, until it is left.
  function closeTip(event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("#result mark:hover, #result mark:focus").forEach((m) => {
      m.classList.add("tip-closed");
      const reopen = () => { m.classList.remove("tip-closed"); };
      m.addEventListener("blur", reopen, { once: true });
      m.addEventListener("mouseleave", reopen, { once: true });
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("analyze-form").addEventListener("submit", submit);
    $("technique").addEventListener("change", applyFilters);
    $("confidence").addEventListener("input", applyFilters);
    $("weak-sourcing").addEventListener("change", applyFilters);
    document.addEventListener("keydown", closeTip);
    // The buttons take focus when pressed, so they step from the detection focused last.
    $("next").addEventListener("mousedown", (e) => e.preventDefault());
    $("previous").addEventListener("mousedown", (e) => e.preventDefault());
    $("next").addEventListener("click", () => { if (lastMark) lastMark.focus(); jump(1); });
    $("previous").addEventListener("click", () => { if (lastMark) lastMark.focus(); jump(-1); });
    document.addEventListener("focusin", (e) => {
      if (e.target.matches && e.target.matches("#result mark[id]")) lastMark = e.target;
    });
  });
})();
