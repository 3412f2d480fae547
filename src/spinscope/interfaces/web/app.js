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

  function setStatus(text, isError) {
    $("status").textContent = text;
    $("status").className = isError ? "error" : "";
  }

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
    $("confidence-value").textContent = Math.round(min * 100) + "%";
    document.querySelectorAll("#result mark").forEach((m) => {
      const techs = m.dataset.techniques.split(" ");
      const catsOf = m.dataset.categories.split(" ");
      const confs = m.dataset.confidences.split(" ").map(parseFloat);
      const visible = techs.some((t, i) => cats.has(catsOf[i]) && (!only || t === only) && confs[i] >= min);
      m.classList.toggle("off", !visible);
      m.tabIndex = visible ? 0 : -1;
    });
    const weakOnly = $("weak-sourcing").checked;
    document.querySelectorAll("#result .claims li, #result .claim").forEach((c) => {
      const weak = c.dataset.kind === "none" || c.dataset.kind === "vague";
      c.classList.toggle("off", weakOnly && !weak);
    });
  }

  async function submit(event) {
    event.preventDefault();
    const url = $("url").value.trim();
    const text = $("text").value;
    if (!url && !text.trim()) {
      setStatus("Give a link or paste the article text.", true);
      return;
    }
    const body = url ? { url } : { text };
    const threshold = $("threshold").value;
    if (threshold !== "") body.threshold = parseFloat(threshold);
    setStatus("Analysing…", false);
    $("submit").disabled = true;
    try {
      const [tax, response] = await Promise.all([
        loadTaxonomy(),
        fetch("/v1/report", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
      ]);
      const data = await response.json();
      if (!response.ok) {
        setStatus((data.error && data.error.code + ": " + data.error.message) || "The analysis failed.", true);
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
      setStatus("Done.", false);
    } catch (err) {
      setStatus("The server could not be reached.", true);
    } finally {
      $("submit").disabled = false;
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("analyze-form").addEventListener("submit", submit);
    $("technique").addEventListener("change", applyFilters);
    $("confidence").addEventListener("input", applyFilters);
    $("weak-sourcing").addEventListener("change", applyFilters);
  });
})();
