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

// Commitment, sub-element and stage are chosen within one assessment: a story at Impact and
// evaluation 3 and Funding and facilities 4 is not at Impact and evaluation 4. Each story (its
// list item's data-assessment, its page's Pagefind filter "assessment") lists its assessments
// as "commitment/sub-element/stage" ids (casebook/facets.py).
export const ASSESSED = ["commitment", "sub-element", "stage"];

/** The assessments that match the chosen commitments, sub-elements and stages, as
 * "commitment/sub-element/stage" ids, every option of the form for a facet with no choice;
 * null when none of the three has a choice. */
export function assessments(form, picked) {
  if (!ASSESSED.some((name) => picked.has(name))) return null;
  let found = [""];
  for (const name of ASSESSED) {
    const boxes = picked.get(name) || form.querySelectorAll(`input[type=checkbox][name="${name}"]`);
    const values = Array.from(boxes, (box) => box.value);
    found = found.flatMap((start) => values.map((value) => (start ? `${start}/${value}` : value)));
  }
  return found;
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
