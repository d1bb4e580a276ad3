// What the self-assessment exports: a story draft in the site's own Markdown format, and both
// views as JSON and CSV. Pure functions of the compared rows; nothing here touches the page.

import { SIDES, stageWords, verdict } from "./assess-model.js";

// The date as the story format wants it (YYYY-MM-DD), in the reader's own time zone.
export function isoDate(date) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// Which sub-elements go in the story's front matter, and from whose perspective. Where both
// sides chose, the story is joint and uses the agreed stage, or the lower one; where only one
// side chose anything at all, the story is that side's.
export function storyPlan(rows) {
  const both = rows.filter((row) => row.both);
  if (both.length) return { perspective: "joint", rows: both, side: null };
  for (const side of SIDES) {
    const other = SIDES.find((s) => s !== side);
    const own = rows.filter((row) => row[side.id] !== null);
    if (own.length && rows.every((row) => row[other.id] === null)) {
      return { perspective: side.id === "su" ? "students-union" : "institution", rows: own, side };
    }
  }
  return null;
}

export function storyFileName(date) {
  return `${isoDate(date).slice(0, 7)}-our-self-assessment.md`;
}

function sentence(row, rubric) {
  const name = `**${row.sub.name}**`;
  if (row.agreed) return `- ${name}: we agreed on ${stageWords(rubric, row.su)}.`;
  if (row.both) {
    return (
      `- ${name}: the students’ union chose ${stageWords(rubric, row.su)} and the ` +
      `institution ${stageWords(rubric, row.inst)}, ${row.gap} ${row.gap === 1 ? "stage" : "stages"} apart. ` +
      `This draft uses the lower stage, ${stageWords(rubric, row.base)}, until you agree.`
    );
  }
  return `- ${name}: only ${row.only.lower} chose a stage, ${stageWords(rubric, row.base)}.`;
}

export function markdownDraft(rows, rubric, date) {
  const plan = storyPlan(rows);
  if (plan === null) return null;
  const inStory = new Set(plan.rows);
  const others = rows.filter((row) => !inStory.has(row) && row.base !== null);
  const lines = [
    "---",
    "# A story draft from the self-assessment. Fill in the three fields marked FILL IN,",
    "# write the story below, then run: python build.py check",
    "title:            # FILL IN: what the story is about, in a few words",
    `date: ${isoDate(date)}`,
    "partnership:",
    "  institution:    # FILL IN: the institution’s name",
    "  students_union: # FILL IN: the students’ union’s name",
    `perspective: ${plan.perspective}`,
    "assessments:",
  ];
  for (const row of plan.rows) {
    lines.push(`  - sub_element: ${row.sub.id}`, `    stage: ${row.base}`);
  }
  lines.push(
    "---",
    "## Where we placed ourselves",
    "",
    `We used the self-assessment (version ${rubric.version} of the tool) on ${isoDate(date)}. ` +
      (plan.perspective === "joint"
        ? "The students’ union and the institution each chose a stage for each sub-element:"
        : `These are the stages ${plan.side.lower} chose:`),
    "",
    ...plan.rows.map((row) => sentence(row, rubric)),
  );
  if (others.length) {
    lines.push(
      "",
      "Only one side chose a stage for these, so they are not in the list of assessments above:",
      "",
      ...others.map((row) => sentence(row, rubric)),
    );
  }
  lines.push(
    "",
    "## Why we placed ourselves here",
    "",
    "Write what each of you saw that put the partnership at these stages, and where you see it differently, why.",
    "",
    "## What we will do to move on",
    "",
    "Write what you will do together to reach the next stage.",
    "",
  );
  return lines.join("\n");
}

export function jsonExport(rows, rubric, date, link) {
  const data = {
    format: "casebook self-assessment",
    format_version: 1,
    date: isoDate(date),
    rubric_version: rubric.version,
    link,
    stages: rubric.stages.map((stage) => ({ number: stage.number, name: stage.name })),
    sub_elements: rows.map((row) => ({
      id: row.sub.id,
      name: row.sub.name,
      commitment: row.sub.commitment,
      students_union: row.su,
      institution: row.inst,
      agreed: row.agreed,
      gap: row.gap,
    })),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

// A CSV cell: quoted when it holds a comma, quote or line break, and never read by a
// spreadsheet as a formula (a leading = + - @, tab or carriage return gets a ' first).
export function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvExport(rows, rubric) {
  const header = [
    "commitment",
    "sub_element",
    "name",
    "students_union_stage",
    "students_union_stage_name",
    "institution_stage",
    "institution_stage_name",
    "gap",
    "agreement",
  ];
  const name = (stage) => (stage === null ? "" : rubric.stages[stage - 1].name);
  const lines = [header, ...rows.map((row) => [
    row.sub.commitment,
    row.sub.id,
    row.sub.name,
    row.su,
    name(row.su),
    row.inst,
    name(row.inst),
    row.gap,
    verdict(row),
  ])];
  return lines.map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
