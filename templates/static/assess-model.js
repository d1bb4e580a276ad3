// The self-assessment's data and arithmetic, with no DOM writing: the rubric as the worksheet
// shows it, the link format, and the comparison of the two views.

export const SIDES = Object.freeze([
  Object.freeze({ id: "su", key: "students_union", name: "Students’ union", lower: "the students’ union" }),
  Object.freeze({ id: "inst", key: "institution", name: "Institution", lower: "the institution" }),
]);

const UNTOUCHED = "-";
const NOT_ASSESSED = "0";

// The rubric, read from the worksheet the server rendered: the page is the single source, so
// the script never needs the rubric's wording or the site's URLs built in.
export function readRubric(root) {
  const stages = [];
  const subElements = [];
  for (const section of root.querySelectorAll("[data-sub-element]")) {
    const items = [...section.querySelectorAll(".worksheet__stage")];
    if (stages.length === 0) {
      for (const li of items) {
        stages.push({ number: Number(li.dataset.stage), name: li.dataset.stageName });
      }
    }
    subElements.push({
      id: section.dataset.subElement,
      code: section.dataset.code,
      name: section.dataset.name,
      commitment: section.dataset.commitment,
      url: section.dataset.url,
      descriptors: items.map((li) => li.querySelector(".worksheet__descriptor").textContent.trim()),
      cells: items.map((li) => ({ url: li.dataset.cellUrl, stories: Number(li.dataset.stories) })),
    });
  }
  return { version: root.dataset.rubricVersion, stages, subElements };
}

export function emptyState() {
  return { su: {}, inst: {} };
}

export function stageName(rubric, number) {
  return rubric.stages[number - 1].name;
}

export function stageLabel(rubric, number) {
  return `${number}. ${stageName(rubric, number)}`;
}

// "stage 2 (Developing)", for sentences.
export function stageWords(rubric, number) {
  return `stage ${number} (${stageName(rubric, number)})`;
}

// A side's choices map a sub-element's id to its stage, or to 0 where "Not assessed" was
// chosen; a sub-element not yet touched has no entry.
//
// The link format: "su=2-3-----&inst=24-----0&v=1.0". One character per sub-element in the
// rubric's order: "1".."5" a stage, "0" "Not assessed" chosen, "-" not touched; then the
// rubric's version, since the characters mean sub-elements only by their place. A side with
// nothing chosen is left out; anything unreadable counts as not touched.
export function encodeState(state, rubric) {
  const parts = [];
  for (const side of SIDES) {
    const chosen = state[side.id];
    if (!rubric.subElements.some((sub) => chosen[sub.id] !== undefined)) continue;
    const code = rubric.subElements.map((sub) => (chosen[sub.id] === undefined ? UNTOUCHED : String(chosen[sub.id])));
    parts.push(`${side.id}=${code.join("")}`);
  }
  if (parts.length && rubric.version) parts.push(`v=${encodeURIComponent(rubric.version)}`);
  return parts.join("&");
}

export function decodeState(text, rubric) {
  const state = emptyState();
  const params = new URLSearchParams(text.replace(/^#/, ""));
  for (const side of SIDES) {
    const code = params.get(side.id) || "";
    rubric.subElements.forEach((sub, index) => {
      const character = code.charAt(index);
      const stage = Number(character);
      if (character === NOT_ASSESSED) state[side.id][sub.id] = 0;
      else if (Number.isInteger(stage) && stage >= 1 && stage <= rubric.stages.length) {
        state[side.id][sub.id] = stage;
      }
    });
  }
  return state;
}

// The rubric version a link was made with, where it names one that is not this page's.
export function otherVersion(text, rubric) {
  const version = new URLSearchParams(text.replace(/^#/, "")).get("v");
  return version && version !== rubric.version ? version : null;
}

export function hasChoices(state) {
  return SIDES.some((side) => Object.values(state[side.id]).some((stage) => stage >= 1));
}

// One row per sub-element: both views, whether they agree, the gap, the stage to start from
// (the agreed one, or the lower of the two, or the only one given), and the sides that chose
// "Not assessed" (declined), apart from those that have not chosen yet.
export function compare(state, rubric) {
  return rubric.subElements.map((sub) => {
    const su = state.su[sub.id] || null;
    const inst = state.inst[sub.id] || null;
    const both = su !== null && inst !== null;
    const given = [su, inst].filter((stage) => stage !== null);
    const base = given.length ? Math.min(...given) : null;
    const next = base !== null && base < rubric.stages.length ? base + 1 : null;
    return {
      sub,
      su,
      inst,
      both,
      agreed: both && su === inst,
      gap: both ? Math.abs(su - inst) : null,
      base,
      next,
      only: given.length === 1 ? (su !== null ? SIDES[0] : SIDES[1]) : null,
      declined: SIDES.filter((side) => state[side.id][sub.id] === 0).map((side) => side.id),
    };
  });
}

export function verdict(row) {
  if (row.agreed) return "Agreed";
  if (row.both) return `${row.gap} ${row.gap === 1 ? "stage" : "stages"} apart`;
  if (row.only) return `Only ${row.only.lower} has chosen`;
  return row.declined.length ? "Not assessed" : "Not chosen yet";
}

/** One side's view in words: its stage, "Not assessed" where it chose that, or "Not chosen
 * yet" where it has chosen nothing. */
export function viewLabel(rubric, row, side) {
  if (row[side] !== null) return stageLabel(rubric, row[side]);
  return row.declined.includes(side) ? "Not assessed" : "Not chosen yet";
}

// Where to start: the widest gaps between the two views, then the lowest stages.
export function whereToStart(rows, limit = 3) {
  const order = (a, b) => rows.indexOf(a) - rows.indexOf(b);
  const widest = rows
    .filter((row) => row.both && row.gap > 0)
    .sort((a, b) => b.gap - a.gap || order(a, b))
    .slice(0, limit);
  const lowest = rows
    .filter((row) => row.base !== null)
    .sort((a, b) => a.base - b.base || order(a, b))
    .slice(0, limit);
  return { widest, lowest };
}
