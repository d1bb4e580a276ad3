// The self-assessment page, enhanced: results that follow the worksheet as it is filled in,
// state kept in the address (#su=…&inst=…) and in this browser's storage, exports and print.
// Without this script the page is a printable worksheet. Nothing here sends anything anywhere.

import {
  SIDES,
  compare,
  decodeState,
  emptyState,
  encodeState,
  hasChoices,
  otherVersion,
  readRubric,
  stageWords,
  verdict,
  viewLabel,
  whereToStart,
} from "./assess-model.js";
import { fitView, radarChart, radarKey } from "./assess-radar.js";
import { csvExport, isoDate, jsonExport, markdownDraft, storyFileName } from "./assess-export.js";

const root = document.getElementById("assess");
if (root) start(root);

function start(root) {
  const form = document.getElementById("assess-form");
  const results = document.getElementById("assess-results");
  const status = document.getElementById("assess-status");
  const summaryLine = document.getElementById("assess-summary");
  const versionLine = document.getElementById("assess-version-note");
  const copied = document.getElementById("assess-copied");
  const rubric = readRubric(root);
  const storageKey = `casebook-assess:${location.pathname}`;
  const printAddress = document.querySelector(".print-address");
  const pageAddress = printAddress ? printAddress.textContent : "";
  const blobUrls = [];

  for (const element of root.querySelectorAll(".assess-js-only")) element.hidden = false;
  for (const element of root.querySelectorAll(".assess-no-js")) element.hidden = true;
  results.hidden = false;
  root.classList.add("assess--enhanced");

  function readForm() {
    const state = emptyState();
    for (const side of SIDES) {
      for (const sub of rubric.subElements) {
        const radio = [...form.elements[`${side.id}-${sub.id}`]].find((r) => r.checked);
        if (radio) state[side.id][sub.id] = Number(radio.value); // "Not assessed" is "", so 0
      }
    }
    return state;
  }

  function fillForm(state) {
    for (const side of SIDES) {
      for (const sub of rubric.subElements) {
        const stage = state[side.id][sub.id];
        for (const radio of form.elements[`${side.id}-${sub.id}`]) {
          radio.checked = stage !== undefined && radio.value === (stage === 0 ? "" : String(stage));
        }
      }
    }
  }

  function stateHash(state) {
    const code = encodeState(state, rubric);
    return code ? `#${code}` : "";
  }

  function save(state) {
    const hash = stateHash(state);
    if (location.hash !== hash) history.replaceState(null, "", hash || location.pathname + location.search);
    // Printed results carry the link that reopens them, not only the page's address.
    if (printAddress) {
      printAddress.textContent = hash ? `This assessment is at ${new URL(hash, location.href).href}` : pageAddress;
    }
    try {
      if (hash) localStorage.setItem(storageKey, hash);
      else localStorage.removeItem(storageKey);
    } catch {
      // Storage switched off or full: the address still holds the state.
    }
  }

  function stored() {
    try {
      return localStorage.getItem(storageKey) || "";
    } catch {
      return "";
    }
  }

  function isStateHash(hash) {
    return /^#(su|inst)=/.test(hash);
  }

  // --- rendering -------------------------------------------------------------------------

  // The summary under "Results" always counts the choices (it is printed); the status, which
  // screen readers announce, says what just happened: the row just chosen alone, so that
  // moving through a row's stages with the arrow keys is not followed by the count each time.
  function render(state, announcement = "", withSummary = false) {
    const rows = compare(state, rubric);
    root.classList.toggle("assess--has-choices", hasChoices(state));
    for (const row of rows) renderOutcome(row);
    renderStart(rows, state);
    renderChart(rows);
    renderTable(rows);
    renderCards(rows);
    renderExports(rows, state);
    const both = rows.filter((row) => row.both);
    const agreed = both.filter((row) => row.agreed).length;
    const summary = hasChoices(state)
      ? `Both sides have chosen a stage for ${both.length} of ${rows.length} sub-elements, and agree on ${agreed}.`
      : "No stages chosen yet.";
    summaryLine.textContent = summary;
    copied.textContent = ""; // the link has changed since it was copied
    status.textContent = withSummary ? `${announcement} ${summary}`.trim() : announcement;
  }

  // Kept until another link is opened or the choices are cleared: a link from another
  // version of the tool names sub-elements only by their place.
  function showVersionNote(hash) {
    const note = hash ? versionNote(hash).trim() : "";
    versionLine.textContent = note;
    versionLine.hidden = !note;
    return note;
  }

  function describe(row) {
    if (row.agreed) return `Agreed: ${stageWords(rubric, row.base)}.`;
    if (row.both) {
      return `${verdict(row)}: the students’ union chose ${stageWords(rubric, row.su)}, the institution ${stageWords(rubric, row.inst)}.`;
    }
    if (!row.only) return "";
    const other = SIDES.find((side) => side !== row.only);
    return `${row.only.name} chose ${stageWords(rubric, row.base)}; ${other.lower} has not chosen yet.`;
  }

  function renderOutcome(row) {
    const line = document.getElementById(`outcome-${row.sub.id}`);
    line.textContent = describe(row);
    line.hidden = row.base === null;
    line.dataset.agreement = agreement(row);
  }

  function renderStart(rows, state) {
    const box = document.getElementById("assess-start");
    box.replaceChildren();
    if (!hasChoices(state)) {
      box.append(h("p", {}, "Choose stages in the worksheet above; the sub-elements to talk about first will show here."));
      return;
    }
    const { widest, lowest } = whereToStart(rows);
    if (widest.length) {
      box.append(h("p", {}, "Where your views are furthest apart:"));
      box.append(list(widest, (row) => `: ${row.gap} ${row.gap === 1 ? "stage" : "stages"} apart (students’ union ${row.su}, institution ${row.inst})`));
    } else if (rows.some((row) => row.both)) {
      box.append(h("p", {}, "You agree on every sub-element you have both assessed."));
    }
    box.append(h("p", {}, "The lowest stages, where the next step may be easiest to see:"));
    box.append(list(lowest, (row) => `: ${stageWords(rubric, row.base)}${row.both && !row.agreed ? ", the lower view" : ""}`));
  }

  function list(rows, tail) {
    return h(
      "ul",
      { class: "link-list" },
      ...rows.map((row) => h("li", {}, h("a", { href: `#result-${row.sub.id}` }, row.sub.name), tail(row))),
    );
  }

  // The same breakpoint as site.css: below it the chart's axes are labelled "1a", "1b", ….
  const narrow = window.matchMedia("screen and (max-width: 40rem)");

  function renderChart(rows) {
    const figure = document.getElementById("assess-radar");
    const chart = radarChart(rows, rubric, { compact: narrow.matches });
    figure.replaceChildren(chart, h("figcaption", {}, radarKey()));
    fitView(chart);
  }

  function renderTable(rows) {
    const body = document.querySelector("#assess-views tbody");
    body.replaceChildren(
      ...rows.map((row) =>
        h(
          "tr",
          { "data-sub-element": row.sub.id },
          h("th", { scope: "row" }, `${row.sub.code}. ${row.sub.name}`),
          ...SIDES.map((side) => h("td", { "data-side": side.id }, viewLabel(rubric, row, side.id))),
          h("td", { "data-agreement": agreement(row) }, verdict(row)),
        ),
      ),
    );
  }

  function agreement(row) {
    if (row.agreed) return "agreed";
    if (row.both) return "gap";
    return row.only ? "one-side" : "none";
  }

  function renderCards(rows) {
    const box = document.getElementById("assess-cards");
    box.replaceChildren(...rows.map(card));
  }

  function card(row) {
    const sub = row.sub;
    const article = h("article", { class: "result", id: `result-${sub.id}`, "data-sub-element": sub.id, "data-agreement": agreement(row) });
    article.append(h("h4", {}, `${sub.code}. ${sub.name}`, h("span", { class: "result__commitment" }, ` · ${sub.commitment}`)));
    article.append(
      h(
        "p",
        { class: "result__views" },
        ...SIDES.flatMap((side, i) => [
          i ? " · " : "",
          `${side.name}: `,
          h("strong", { "data-side": side.id }, viewLabel(rubric, row, side.id)),
        ]),
      ),
    );
    article.append(h("p", { class: `result__verdict result__verdict--${agreement(row)}` }, verdict(row)));
    if (row.base === null) return article;
    const which = row.agreed
      ? "Where you agree"
      : row.both
        ? "The lower of your two stages"
        : `The stage ${row.only.lower} chose`;
    article.append(h("p", {}, `${which}: ${stageWords(rubric, row.base)}`));
    article.append(quote(sub.descriptors[row.base - 1]));
    if (row.next !== null) {
      article.append(h("p", {}, `The next stage: ${stageWords(rubric, row.next)}`));
      article.append(quote(sub.descriptors[row.next - 1]));
    } else {
      article.append(h("p", {}, "This is the highest stage the tool describes."));
    }
    const stages = row.next === null ? [row.base] : [row.base, row.next];
    article.append(
      h(
        "p",
        { class: "result__stories" },
        "Stories from other partnerships: ",
        ...stages.flatMap((stage, i) => {
          const cell = sub.cells[stage - 1];
          const count = cell.stories === 0 ? "no stories yet" : `${cell.stories} ${cell.stories === 1 ? "story" : "stories"}`;
          const words = `${count} at ${stageWords(rubric, stage)}`;
          // the sub-element, for a screen reader's list of links, where the card's heading is not
          const which = h("span", { class: "visually-hidden" }, ` of ${sub.name}`);
          return [i ? ", " : "", h("a", { href: cell.url, "data-stage": stage }, words, which)];
        }),
      ),
    );
    return article;
  }

  function quote(text) {
    return h("blockquote", { class: "quote" }, h("p", {}, text));
  }

  function download(id, name, type, text) {
    const link = document.getElementById(id);
    const item = link.closest("li");
    item.hidden = text === null;
    if (text === null) {
      link.removeAttribute("href");
      link.removeAttribute("download");
      return;
    }
    const url = URL.createObjectURL(new Blob([text], { type }));
    blobUrls.push(url);
    link.href = url;
    link.download = name;
  }

  function renderExports(rows, state) {
    while (blobUrls.length) URL.revokeObjectURL(blobUrls.pop());
    const today = new Date();
    const hash = stateHash(state);
    const link = document.getElementById("assess-link");
    link.href = hash || location.pathname;
    link.textContent = hash ? new URL(hash, location.href).href : "link to this assessment (choose a stage first)";
    const any = hasChoices(state);
    const markdown = any ? markdownDraft(rows, rubric, today) : null;
    const stamp = isoDate(today);
    download("assess-markdown", storyFileName(today), "text/markdown;charset=utf-8", markdown);
    download("assess-json", `self-assessment-${stamp}.json`, "application/json", any ? jsonExport(rows, rubric, today, link.href) : null);
    download("assess-csv", `self-assessment-${stamp}.csv`, "text/csv;charset=utf-8", any ? `\ufeff${csvExport(rows, rubric)}` : null);
    const note = document.getElementById("assess-export-note");
    if (!any) note.textContent = "Choose at least one stage to download the results.";
    else if (markdown === null) {
      note.textContent = "For a joint story draft, both sides need to choose a stage for at least one of the same sub-elements.";
    } else note.textContent = "";
    note.hidden = note.textContent === "";
  }

  // --- events ----------------------------------------------------------------------------

  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => {
    const state = readForm();
    save(state);
    const name = event.target.name || "";
    const sub = rubric.subElements.find((s) => name.endsWith(`-${s.id}`) && SIDES.some((side) => name === `${side.id}-${s.id}`));
    const row = sub ? compare(state, rubric).find((r) => r.sub === sub) : null;
    const none = row && row.declined.length ? "not assessed." : "no stage chosen.";
    render(state, row ? `${sub.name}: ${describe(row) || none}` : "");
  });

  narrow.addEventListener("change", () => renderChart(compare(readForm(), rubric)));

  window.addEventListener("hashchange", () => {
    if (isStateHash(location.hash)) {
      const state = decodeState(location.hash, rubric);
      const note = showVersionNote(location.hash);
      fillForm(state);
      save(state);
      render(state, ["Assessment loaded from the link.", note].filter(Boolean).join(" "), true);
    } else {
      // A jump to a heading or the skip link: keep the assessment in the address.
      const hash = stateHash(readForm());
      if (hash) history.replaceState(null, "", hash);
    }
  });

  document.querySelector(".assess-jump a").addEventListener("click", (event) => {
    event.preventDefault();
    results.focus();
    results.scrollIntoView();
  });

  document.getElementById("assess-reset").addEventListener("click", () => {
    if (!window.confirm("Clear both sides’ choices and start again? The link and this browser’s copy will be cleared too.")) return;
    const state = emptyState();
    fillForm(state);
    save(state);
    showVersionNote("");
    render(state, "All choices cleared.", true);
  });

  document.getElementById("assess-print").addEventListener("click", () => {
    root.classList.remove("assess--print-worksheet");
    window.print();
  });

  document.getElementById("assess-print-worksheet").addEventListener("click", () => {
    root.classList.add("assess--print-worksheet");
    window.addEventListener("afterprint", () => root.classList.remove("assess--print-worksheet"), { once: true });
    window.print();
  });

  document.getElementById("assess-copy").addEventListener("click", async () => {
    const url = document.getElementById("assess-link").href;
    try {
      await navigator.clipboard.writeText(url);
      copied.textContent = "Link copied.";
    } catch {
      copied.textContent = "This browser did not allow copying; select the link and copy it instead.";
    }
  });

  // --- first state: the address, else this browser's storage -------------------------------

  const initial = isStateHash(location.hash) ? location.hash : stored();
  const state = isStateHash(initial) ? decodeState(initial, rubric) : readForm();
  fillForm(state);
  save(state);
  render(state, showVersionNote(isStateHash(initial) ? initial : ""), true);

  // A link holds a stage for each sub-element by its place in the rubric it was made with.
  function versionNote(hash) {
    const version = otherVersion(hash, rubric);
    if (version === null) return "";
    return ` This assessment was made with version ${version} of the tool, and this page shows version ${rubric.version}: check each stage against the words here.`;
  }
}

// An element with attributes and children; strings become text, never markup.
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  element.append(...children);
  return element;
}
