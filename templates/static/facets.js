// Facet checkboxes (rendered at build time, see templates/facets.html) and the URL query that
// keeps them, shared by the search page and the stories filters. A checkbox's name is its
// facet, its value the option's id; the URL repeats a name for each chosen option:
// ?stage=2&stage=3&year=2024.

/** The chosen options: facet name -> list of checked checkboxes, only facets with a choice. */
export function chosen(form) {
  const picked = new Map();
  for (const box of form.querySelectorAll("input[type=checkbox]:checked")) {
    if (!picked.has(box.name)) picked.set(box.name, []);
    picked.get(box.name).push(box);
  }
  return picked;
}

/** Tick the checkboxes the URL names; open the filters when any is ticked. */
export function restore(form, params) {
  let any = false;
  for (const box of form.querySelectorAll("input[type=checkbox]")) {
    box.checked = params.getAll(box.name).includes(box.value);
    any = any || box.checked;
  }
  const details = form.querySelector("[data-filters]");
  if (details && any) details.open = true;
}

/** Replace the page's query with these values (and the checked options), keeping its path. */
export function keepInUrl(form, extra = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(extra)) {
    if (value) params.set(name, value);
  }
  for (const [name, boxes] of chosen(form)) {
    for (const box of boxes) params.append(name, box.value);
  }
  const query = params.toString();
  const url = window.location.pathname + (query ? `?${query}` : "") + window.location.hash;
  window.history.replaceState(null, "", url);
}

/** Untick every checkbox. */
export function clearAll(form) {
  for (const box of form.querySelectorAll("input[type=checkbox]")) box.checked = false;
}

/** "1 story" / "3 stories". */
export function count(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}
