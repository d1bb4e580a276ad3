// The search page, over Pagefind's own JavaScript API (pagefind/pagefind.js, written by the
// build beside its index, with the index's other shards merged in). Without JavaScript the
// form stays hidden and the page points to the stories index and the matrix. The query and
// filters are kept in the URL (?q=...&stage=2), so a search can be shared. Result text is
// always set as text: Pagefind's excerpt is parsed in an inert document and only its words and
// <mark> highlights are copied.

import { ASSESSED, assessments, chosen, clearAll, count, keepInUrl, restore } from "./facets.js";

const PAGE_SIZE = 10;
const TYPING_PAUSE_MS = 250; // the results follow the words typed after this pause
// What the status says (which screen readers announce) waits for a longer one, so that a slow
// typist hears the count once, when they stop, not "Searching…" and a count at every letter.
const QUIET_MS = 1000;

const form = document.querySelector("[data-search]");
const fallback = document.querySelector("[data-search-fallback]");
const status = document.querySelector("[data-status]");
const results = document.querySelector("[data-results]");
const more = document.querySelector("[data-more]");

let pagefind = null;
let latest = 0; // the newest search; an older one that finishes later is dropped
let found = []; // Pagefind's results of the newest search, not yet loaded beyond `shown`
let shown = 0;
let lastTyped = -Infinity; // when a letter was last typed (performance.now())
let telling = 0; // the status waiting for typing to stop
const pageTitle = document.title; // given back when the query is cleared

/** Pagefind's filters: facet name -> { any: [option names] }, names from data-label; the
 * chosen commitments, sub-elements and stages as the assessments that have them. */
function filters() {
  const picked = {};
  const boxes = chosen(form);
  for (const [name, ticked] of boxes) {
    if (!ASSESSED.includes(name)) picked[name] = { any: ticked.map((box) => box.dataset.label) };
  }
  const within = assessments(form, boxes);
  if (within !== null) picked.assessment = { any: within };
  return picked;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

/** The excerpt's words with Pagefind's <mark>s, and nothing else. Pagefind cuts its
 * excerpt out of the page's words, so it may start at a separator ("1. Partnership · Time"
 * gives "· Time. ..."): what comes before its first letter or digit is left out. */
function excerpt(html) {
  const paragraph = element("p", "search-result__excerpt");
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, "text/html");
  let start = true;
  for (const node of parsed.body.firstChild.childNodes) {
    let text = node.textContent;
    if (start) text = text.replace(/^[^\p{L}\p{N}]+/u, "");
    if (!text) continue;
    start = false;
    if (node.nodeName === "MARK") paragraph.append(element("mark", "", text));
    else paragraph.append(document.createTextNode(text));
  }
  return paragraph;
}

function resultItem(data) {
  const item = element("li", "search-result");
  const heading = element("h2", "search-result__title");
  const link = element("a", "", data.meta.title || data.url);
  link.href = data.url;
  heading.append(link);
  // "Example" and "Draft", as the lists of stories and partnerships show them
  for (const name of (data.meta.badges || "").split(" ").filter(Boolean)) {
    heading.append(" ", element("strong", `badge badge--${name.toLowerCase()}`, name));
  }
  item.append(heading);
  const facts = [data.meta.kind, data.meta.partnership, data.meta.stages].filter(Boolean);
  if (facts.length) item.append(element("p", "search-result__meta", facts.join(" · ")));
  item.append(excerpt(data.excerpt));
  return item;
}

async function showMore(moveFocus) {
  const search = latest;
  const batch = found.slice(shown, shown + PAGE_SIZE);
  const loaded = await Promise.all(batch.map((result) => result.data()));
  if (search !== latest) return;
  const items = loaded.map(resultItem);
  results.append(...items);
  shown += batch.length;
  more.hidden = shown >= found.length;
  if (moveFocus && items.length) items[0].querySelector("a").focus();
}

// The count, and how many of the results are on the page: told again after "Show more".
function describe(total, query) {
  const what = count(total, "result", "results");
  const words = query ? ` for “${query}”` : "";
  const narrowed = chosen(form).size ? " with these filters" : "";
  if (total === 0) return `No results${words}${narrowed}. Try other words, or clear some filters.`;
  const on = Math.min(total, shown);
  const paged = total <= PAGE_SIZE ? "" : on < total ? ` Showing the first ${on}.` : ` Showing all ${total}.`;
  return `${what}${words}${narrowed}.${paged}`;
}

/** Put text in the status now, or once typing has stopped for QUIET_MS; either replaces what
 * was waiting. */
function tell(text) {
  window.clearTimeout(telling);
  const wait = lastTyped + QUIET_MS - performance.now();
  if (wait > 0) telling = window.setTimeout(() => (status.textContent = text), wait);
  else status.textContent = text;
}

async function run() {
  const search = ++latest;
  const query = form.elements.q.value.trim();
  keepInUrl(form, { q: query });
  const picked = filters();
  results.replaceChildren();
  found = [];
  shown = 0;
  more.hidden = true;
  // the title names the search, for the tab, the history and a bookmark
  document.title = query ? `“${query}”: search – ${form.dataset.siteTitle}` : pageTitle;
  if (!query && Object.keys(picked).length === 0) {
    tell("");
    return;
  }
  // said politely, and replaced by the count: the index can take seconds to arrive
  tell("Searching…");
  try {
    const answer = await pagefind.search(query || null, { filters: picked });
    if (search !== latest) return;
    found = answer.results;
    // the count is told once the first results are on the page, so the two always agree
    await showMore(false);
  } catch (error) {
    if (search !== latest) return;
    tell("The search did not finish (part of the index did not load). Try again.");
    console.warn("casebook: the search failed:", error);
    return;
  }
  if (search !== latest) return;
  tell(describe(found.length, query));
}

async function start() {
  try {
    // A large site's index is in shards (casebook/search_index.py): the first is where the
    // library is, and shards.json beside it lists the folders of the others, to merge.
    const library = new URL(form.dataset.library, document.baseURI);
    const shards = fetch(new URL("shards.json", library)).then((answer) => {
      if (!answer.ok) throw new Error(`shards.json: HTTP ${answer.status}`);
      return answer.json();
    });
    pagefind = await import(form.dataset.library);
    const options = { baseUrl: form.dataset.baseUrl };
    await pagefind.options(options);
    await pagefind.init();
    const more = (await shards).more.map((folder) => new URL(folder, library));
    await Promise.all(more.map((url) => pagefind.mergeIndex(url.pathname, options)));
  } catch (error) {
    status.textContent =
      "Search could not be loaded here. Use the links above to browse the stories instead.";
    console.warn("casebook: the search library did not load:", error);
    return;
  }
  const params = new URLSearchParams(window.location.search);
  form.elements.q.value = params.get("q") || "";
  restore(form, params);
  fallback.hidden = true;
  form.hidden = false;

  let pause = 0;
  form.elements.q.addEventListener("input", () => {
    lastTyped = performance.now();
    window.clearTimeout(pause);
    window.clearTimeout(telling);
    status.textContent = ""; // the count is of the words before: said again when typing stops
    pause = window.setTimeout(run, TYPING_PAUSE_MS);
  });
  form.addEventListener("change", (event) => {
    if (event.target.type === "checkbox") run();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lastTyped = -Infinity; // Enter asks for the answer now
    window.clearTimeout(pause);
    run();
  });
  form.querySelector("[data-clear]").addEventListener("click", () => {
    clearAll(form);
    run();
  });
  more.addEventListener("click", async () => {
    await showMore(true);
    status.textContent = describe(found.length, form.elements.q.value.trim());
  });
  await run();
}

if (form && fallback && status && results && more) start();
