// The stories index, filtered in the page. Without JavaScript every story is listed and the
// (hidden) filter form never shows. Each story's <li> carries its options as space-separated
// ids in data-<facet> attributes; within a facet any chosen option matches, and a story must
// match every facet that has a choice. The choice is kept in the URL query.

import { chosen, clearAll, count, keepInUrl, restore } from "./facets.js";

const form = document.querySelector("[data-story-filters]");
const list = document.querySelector("[data-filter-list]");
const status = document.querySelector("[data-status]");

function matches(item, picked) {
  for (const [name, boxes] of picked) {
    const own = (item.getAttribute(`data-${name}`) || "").split(" ");
    if (!boxes.some((box) => own.includes(box.value))) return false;
  }
  return true;
}

function apply() {
  const picked = chosen(form);
  const items = Array.from(list.children);
  let shown = 0;
  for (const item of items) {
    item.hidden = !matches(item, picked);
    if (!item.hidden) shown += 1;
  }
  if (picked.size === 0) {
    status.textContent = `Showing all ${count(items.length, "story", "stories")}.`;
  } else if (shown === 0) {
    status.textContent = `No stories match these filters; clear some to see more.`;
  } else {
    status.textContent = `Showing ${shown} of ${count(items.length, "story", "stories")}.`;
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
