// The stories index, filtered in the page. Without JavaScript every story is listed (in pages
// of site.yaml's per_page) and the (hidden) filter form never shows. Each story's <li> carries
// its options as space-separated ids in data-<facet> attributes; within a facet any chosen
// option matches, and a story must match every facet that has a choice; the commitments,
// sub-elements and stages chosen must be those of one of its assessments. The choice is kept in
// the URL query. When the list has more than one page, choosing a filter fetches the other
// pages from this site once and filters every story; clearing the filters shows this page only.

import { ASSESSED, assessments, chosen, clearAll, count, keepInUrl, restore } from "./facets.js";

const form = document.querySelector("[data-story-filters]");
const list = document.querySelector("[data-filter-list]");
const status = document.querySelector("[data-status]");
const pager = document.querySelector("[data-pager]");
const pages = (list?.dataset.pages || "").split(" ").filter(Boolean);
const here = Number(list?.dataset.page || 1);
const own = list ? Array.from(list.children) : [];
let others = null; // the other pages' items, once fetched (in list order)

async function otherPages() {
  if (others === null) {
    const before = [];
    const after = [];
    for (const [index, url] of pages.entries()) {
      if (index + 1 === here) continue;
      const answer = await fetch(url);
      if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
      const page = new DOMParser().parseFromString(await answer.text(), "text/html");
      const items = page.querySelectorAll("[data-filter-list] > li");
      (index + 1 < here ? before : after).push(...Array.from(items, (i) => document.importNode(i, true)));
    }
    others = { before, after };
  }
  return others;
}

function matches(item, picked, within) {
  for (const [name, boxes] of picked) {
    if (ASSESSED.includes(name)) continue;
    const values = (item.getAttribute(`data-${name}`) || "").split(" ");
    if (!boxes.some((box) => values.includes(box.value))) return false;
  }
  if (within === null) return true;
  const own = (item.getAttribute("data-assessment") || "").split(" ");
  return own.some((assessment) => within.has(assessment));
}

async function apply() {
  const picked = chosen(form);
  let items = own;
  if (pages.length > 1 && picked.size > 0) {
    try {
      const { before, after } = await otherPages();
      items = [...before, ...own, ...after];
    } catch {
      status.textContent = "Only this page’s stories can be filtered: the other pages did not load.";
    }
  }
  list.replaceChildren(...items);
  if (pager) pager.hidden = items !== own;
  let shown = 0;
  const found = assessments(form, picked);
  const within = found === null ? null : new Set(found);
  for (const item of items) {
    item.hidden = !matches(item, picked, within);
    if (!item.hidden) shown += 1;
  }
  const total = items === own && pages.length > 1 ? null : items.length;
  if (picked.size === 0) {
    status.textContent =
      total === null
        ? `Showing page ${here} of ${pages.length}; choose a filter to search all the stories.`
        : `Showing all ${count(total, "story", "stories")}.`;
  } else if (shown === 0) {
    status.textContent = "No stories match these filters; clear some to see more.";
  } else if (total !== null) {
    status.textContent = `Showing ${shown} of ${count(total, "story", "stories")}.`;
  }
  keepInUrl(form);
}

if (form && list && status) {
  restore(form, new URLSearchParams(window.location.search));
  form.addEventListener("change", apply);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.querySelector("[data-clear]").addEventListener("click", () => {
    clearAll(form);
    apply();
  });
  form.hidden = false;
  apply();
}
