// The /contribute/ form: writes the story file as the contributor types, checks it with the
// rules `python build.py check` applies, and offers copy, download and "Propose on GitHub".
// Everything it needs is in the page (the rubric is rendered into the form), so it fetches
// nothing. The file it writes matches casebook/storytext.py line for line; a browser test
// compares the two.

const section = document.getElementById("draft");
const form = document.getElementById("story-form");
const settings = section.dataset;
const forbidden = new RegExp(`[${settings.forbidden.slice(1, -1)}]`, "u");
const slugPattern = new RegExp(`^${settings.slugPattern}$`);
const urlLimit = Number(settings.urlLimit);
const picture = new RegExp(settings.picture, "gi");
const pictureAlt = new RegExp(settings.pictureAlt, "i");
const MAX_NAME_IN_FILE = 60;

const PLAIN = /^[A-Za-z][A-Za-z0-9 .,'’()&/-]*$/;
const RESERVED = new Set(["y", "n", "yes", "no", "on", "off", "true", "false", "null"]);

const $ = (id) => document.getElementById(id);
const field = (name) => form.elements.namedItem(name);

/** text as a YAML value that reads back as exactly this string (storytext.yaml_scalar). */
function yamlScalar(text) {
  if (PLAIN.test(text) && !text.endsWith(" ") && !RESERVED.has(text.toLowerCase())) {
    return text;
  }
  return JSON.stringify(text).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** slugs.slugify: accents folded, other letters dropped, words joined by hyphens. */
function slugify(text) {
  return text
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/'/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** storytext.file_stem: year-month and the title. */
function fileStem(draft) {
  let slug = slugify(draft.title) || "story";
  if (slug.length > MAX_NAME_IN_FILE) {
    const cut = slug.slice(0, MAX_NAME_IN_FILE);
    slug = cut.includes("-") ? cut.slice(0, cut.lastIndexOf("-")) : cut;
  }
  return `${draft.date.slice(0, 7)}-${slug}`;
}

/** problems.quoted: a value in quotes, on one line, cut at 60 characters. */
function quoted(value) {
  const text = value.split(/\s+/).filter(Boolean).join(" ");
  return text.length <= 60 ? `'${text}'` : `'${text.slice(0, 59)}…'`;
}

/** issueform.picture_problems: each picture in a box, named by its alt text. A story from
 * this form is one file, so it can show no picture; check would ask for a story folder. */
function pictures(text) {
  return Array.from(text.matchAll(picture), (found) => {
    let alt = found[1];
    if (alt === undefined) {
      const attribute = pictureAlt.exec(found[0]);
      alt = attribute ? (attribute[1] ?? attribute[2] ?? attribute[3] ?? "") : "";
    }
    return alt.trim() ? `the picture ${quoted(alt)}` : "a picture";
  });
}

function body(text) {
  return text.replace(/\r\n?/g, "\n").trim();
}

const DATE_HINT = "write the date as year-month-day, e.g. 2025-03-14";

/** The real day for year, month, day numbers, as YYYY-MM-DD, or "" (datewords._day). */
function isoDay(year, month, day) {
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const ok = d.getUTCFullYear() === Number(year) && d.getUTCMonth() === Number(month) - 1
    && d.getUTCDate() === Number(day);
  return ok ? d.toISOString().slice(0, 10) : "";
}

/** datewords.date_problem without its leading "date" (the form's problem is headed "Date:"):
 * "" for a real YYYY-MM-DD date, else what to write instead. */
function dateProblem(value) {
  if (/^\d{4}-\d\d-\d\d$/.test(value)) {
    if (isoDay(value.slice(0, 4), value.slice(5, 7), value.slice(8))) return "";
    return `'${value}' is not a real date; ${DATE_HINT}`;
  }
  let meant = "";
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (m) meant = isoDay(m[3], m[2], m[1]) || isoDay(m[3], m[1], m[2]);
  m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$/.exec(value);
  if (m) meant = isoDay(m[1], m[2], m[3]);
  if (meant) return `'${value}' is not in year-month-day form; write it as ${meant}`;
  return `'${value}' is not in year-month-day form; ${DATE_HINT}`;
}

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;

/** A heading's words as problems name it (a heading with none is named by its marks). */
function headingText(found) {
  return (found[2] || "").trim() || found[1];
}

/** storybody.body_problems: the headings of empty sections in a story's body. */
function emptySections(text) {
  const found = [];
  const hasText = [];
  let fence = "";
  for (const line of text.split("\n")) {
    if (fence) {
      hasText.push(true);
      const close = new RegExp(`^ {0,3}\\${fence[0]}{${fence.length},}[ \t]*$`);
      if (close.test(line)) fence = "";
      continue;
    }
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (opening) {
      fence = opening[1];
      hasText.push(true);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      found.push({ index: hasText.length, level: heading[1].length, text: headingText(heading) });
      hasText.push(false);
      continue;
    }
    hasText.push(line.trim() !== "" && !/^\s*<!--.*?-->\s*$/.test(line));
  }
  return found
    .filter((h, i) => {
      const next = found.slice(i + 1).find((o) => o.level <= h.level);
      const end = next ? next.index : hasText.length;
      return !hasText.slice(h.index + 1, end).some(Boolean);
    })
    .map((h) => h.text);
}

/** storytext.story_text */
function storyText(draft) {
  const lines = [
    "---",
    `# yaml-language-server: $schema=${settings.schemaUrl}`,
    `title: ${yamlScalar(draft.title)}`,
    `date: ${draft.date}`,
    ...(draft.shared ? [`shared: ${draft.shared}`] : []),
    "partnership:",
    `  institution: ${yamlScalar(draft.institution)}`,
    `  students_union: ${yamlScalar(draft.union)}`,
    `perspective: ${draft.perspective}`,
    "assessments:",
  ];
  for (const a of draft.assessments) {
    lines.push(`  - sub_element: ${a.id}  # ${a.name}`);
    lines.push(`    stage: ${a.stage}  # ${a.stageName}`);
  }
  if (draft.summary) lines.push(`summary: ${yamlScalar(draft.summary)}`);
  if (draft.contributors.length) {
    lines.push("contributors:");
    for (const c of draft.contributors) {
      lines.push(`  - name: ${yamlScalar(c.name)}`);
      if (c.role) lines.push(`    role: ${yamlScalar(c.role)}`);
    }
  }
  if (draft.tags.length) lines.push(`tags: [${draft.tags.map(yamlScalar).join(", ")}]`);
  if (draft.anonymous) lines.push("anonymous: true");
  lines.push("---", `## ${settings.whyHeading}`, "");
  if (body(draft.why)) lines.push(body(draft.why), "");
  lines.push(`## ${settings.nextHeading}`, "");
  if (body(draft.next)) lines.push(body(draft.next), "");
  return lines.join("\n");
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A problem with the draft: what it says, and the id of the field where it is fixed. */
function problem(id, text) {
  return { id, text };
}

/** The id of the first control in a group of radio buttons (where its problem links to). */
function firstOf(selector) {
  return form.querySelector(selector).id;
}

/** A one-line text answer, checked like check does; problems name the question. */
function text(name, label, problems, { required = true, oneLine = true } = {}) {
  const element = field(name);
  const value = element.value.trim();
  const limit = element.maxLength > 0 ? element.maxLength : Infinity;
  const says = (message) => problems.push(problem(element.id, `${label}: ${message}`));
  if (!value) {
    if (required) says("write it in a few words.");
  } else if (forbidden.test(value.replace(/[\n\t]/g, " "))) {
    says("it contains an invisible control character; retype it.");
  } else if (oneLine && value.includes("\n")) {
    says("keep it on one line.");
  } else if (value.length > limit) {
    says(`it is ${value.length} characters long; keep it to ${limit}.`);
  }
  return value;
}

/** Which box a heading the contributor typed is in: the first that has a line with it. */
function boxWithHeading(heading) {
  const has = (name) => field(name).value.split(/\r\n?|\n/).some((line) => {
    const found = HEADING.exec(line);
    return found !== null && headingText(found) === heading;
  });
  return has("why") || !has("next") ? field("why").id : field("next").id;
}

/** The draft and every problem with it, in the order of the form. */
function readForm() {
  const problems = [];
  const draft = {
    title: text("title", "Title", problems),
    date: field("date").value.trim(),
    institution: text("institution", "Institution", problems),
    union: text("students_union", "Students’ union", problems),
    anonymous: field("anonymous").checked,
    perspective: field("perspective").value,
    assessments: [],
    why: field("why").value,
    next: field("next").value,
    summary: text("summary", "Summary", problems, { required: false, oneLine: false }),
    contributors: [],
    tags: [],
    shared: today(),
  };
  const date = draft.date;
  const wrongDate = date ? dateProblem(date) : "";
  const dateSays = (message) => problems.push(problem(field("date").id, `Date: ${message}`));
  if (!date) dateSays("write the day of the self-assessment, like 2025-03-14.");
  else if (wrongDate) dateSays(`${wrongDate}.`);
  else if (date > today()) dateSays(`${date} is in the future.`);
  else if (date < settings.earliest) {
    dateSays(`${date} is before ${settings.earliest.slice(0, 4)}; check the year.`);
  }
  draft.dateOk = Boolean(date) && !wrongDate;
  if (!draft.perspective) {
    problems.push(problem(firstOf("input[name=perspective]"), "Who is writing the story: choose one."));
  }
  for (const set of form.querySelectorAll("fieldset[data-sub-element]")) {
    const chosen = set.querySelector("input:checked");
    if (chosen && chosen.value) {
      draft.assessments.push({
        id: set.dataset.subElement,
        name: set.dataset.name,
        stage: Number(chosen.value),
        stageName: chosen.dataset.stageName,
      });
    }
  }
  if (!draft.assessments.length) {
    problems.push(problem(
      firstOf("fieldset[data-sub-element] input"),
      "Where your partnership is: choose a stage for at least one part of the tool.",
    ));
  }
  const own = new Map([[settings.whyHeading, "why"], [settings.nextHeading, "next"]]);
  for (const [label, name] of own) {
    if (forbidden.test(field(name).value.replace(/\t/g, " "))) {
      problems.push(
        problem(field(name).id, `${label}: it contains an invisible control character; retype it.`),
      );
    }
  }
  for (const [label, name] of [...own, ["Summary", "summary"]]) {
    for (const which of pictures(field(name).value)) {
      problems.push(problem(
        field(name).id,
        `${label}: ${which} can’t be sent from this form; take it out and describe it in `
          + "words. If the story needs it, say so when you propose the story: a maintainer can "
          + "add it.",
      ));
    }
  }
  const storyBody = storyText({ ...draft, date: "" }).split("\n---\n").slice(1).join("\n---\n");
  for (const heading of emptySections(storyBody)) {
    problems.push(
      own.has(heading)
        ? problem(field(own.get(heading)).id, `${heading}: this part is empty; write a few sentences in it.`)
        : problem(
          boxWithHeading(heading),
          `The section '${heading}' is empty; write a few sentences under it, or remove the heading.`,
        ),
    );
  }
  const who = (message) => problems.push(problem(field("contributors").id, `Who wrote it: ${message}`));
  for (const line of field("contributors").value.split("\n")) {
    if (!line.trim()) continue;
    const comma = line.indexOf(",");
    const name = (comma < 0 ? line : line.slice(0, comma)).trim();
    const role = comma < 0 ? "" : line.slice(comma + 1).trim();
    if (!name) who(`'${line.trim()}' has no name before its comma.`);
    else if (name.length > 200 || role.length > 200) {
      who("keep each name and role to 200 characters.");
    } else if (forbidden.test(line)) {
      who("it contains an invisible control character; retype it.");
    } else draft.contributors.push({ name, role });
  }
  if (draft.anonymous && draft.contributors.length) {
    who(
      "an anonymous story can’t list contributors by name; remove the names, "
        + "or untick “Hide both names on the site”.",
    );
  }
  for (const tag of field("tags").value.split(",").map((t) => t.trim())) {
    if (!tag) continue;
    if (!slugPattern.test(tag)) {
      const suggestion = slugify(tag) || "outreach";
      problems.push(problem(
        field("tags").id,
        `Topics: '${tag}' may use only lowercase letters, digits and hyphens, for example '${suggestion}'.`,
      ));
    } else if (!draft.tags.includes(tag)) draft.tags.push(tag);
  }
  return { draft, problems };
}

let current = { text: "", name: "", ok: false };

// The fields the contributor has finished with (left after a change, restored from a kept
// draft, or every field once a button found the file not ready). Only these are marked
// invalid, so a screen reader does not call every empty field invalid on arrival.
const touched = new Set();
let touchedAll = false;

/** Mark the text fields that have a problem the contributor has met, and tie each to it. */
function markFields(problems) {
  const first = new Map();
  for (const p of problems) if (!first.has(p.id)) first.set(p.id, `problem-${p.id}`);
  for (const element of form.querySelectorAll("input[type=text], textarea")) {
    if (element.dataset.hints === undefined) {
      element.dataset.hints = element.getAttribute("aria-describedby") || "";
    }
    const invalid = first.has(element.id) && (touchedAll || touched.has(element.id));
    const describedBy = [element.dataset.hints, invalid ? first.get(element.id) : ""]
      .filter(Boolean).join(" ");
    if (invalid) element.setAttribute("aria-invalid", "true");
    else element.removeAttribute("aria-invalid");
    if (describedBy) element.setAttribute("aria-describedby", describedBy);
    else element.removeAttribute("aria-describedby");
  }
  return first;
}

function say(element, message) {
  if (element.textContent !== message) element.textContent = message;
}

function update() {
  const { draft, problems } = readForm();
  const name = draft.dateOk ? `${fileStem(draft)}.md` : "";
  const fileText = storyText({ ...draft, date: draft.dateOk ? draft.date : "YYYY-MM-DD" });
  current = { text: fileText, name, ok: problems.length === 0, problems };
  $("draft-text").value = fileText;
  $("draft-name").textContent = name
    ? `${settings.folder}/${name}`
    : `${settings.folder}/… (named once the date is right)`;
  const ids = markFields(problems);
  const list = $("draft-problems");
  // Leaving a field fires "change" as the pointer presses a problem's link; the list is the
  // same as after the last keystroke, so it is kept, and the press lands on the link.
  const shown = JSON.stringify(problems);
  if (list.dataset.shown !== shown) {
    list.dataset.shown = shown;
    list.replaceChildren(
      ...problems.map((p) => {
        const item = document.createElement("li");
        if (ids.has(p.id)) {
          item.id = ids.get(p.id); // the field's first problem, which the field points to
          ids.delete(p.id);
        }
        const link = document.createElement("a");
        link.href = `#${p.id}`;
        link.textContent = p.text;
        item.append(link);
        return item;
      }),
    );
  }
  const count = problems.length;
  say(
    $("draft-status"),
    count === 0
      ? "The story file is ready: it passes the same checks the site runs."
      : `${count} ${count === 1 ? "thing" : "things"} to fix before the file is ready:`,
  );
  for (const id of ["draft-copy", "draft-download"]) {
    $(id).setAttribute("aria-disabled", String(!current.ok));
  }
  const link = $("draft-github");
  const note = $("draft-github-note");
  if (!current.ok) {
    link.hidden = true;
    link.removeAttribute("href");
    say(note, "When the file is ready you can copy it, download it or propose it on GitHub.");
    return;
  }
  const newFile = `${settings.newFileUrl}?filename=${encodeURIComponent(name)}`
    + `&value=${encodeURIComponent(fileText)}`;
  link.hidden = false;
  if (newFile.length <= urlLimit) {
    link.href = newFile;
    link.textContent = "Propose on GitHub";
    say(
      note,
      "“Propose on GitHub” opens GitHub with the file filled in. Sign in; GitHub may say it "
        + "will make your own copy of the project (a fork) for your change, which is expected. "
        + "Choose “Commit changes…” (or “Propose new file”), then “Create pull request”.",
    );
  } else {
    link.href = settings.issueFormUrl;
    link.textContent = "Open the Share a story form on GitHub";
    say(
      note,
      `Your story is too long to send to GitHub in a web address (GitHub refuses addresses `
        + `over about ${urlLimit.toLocaleString("en-GB")} characters). The button opens the Share `
        + `a story form on GitHub instead: copy your answers into it, or download the file and `
        + `attach it to an issue.`,
    );
  }
}

function announce(message) {
  const status = $("draft-action");
  status.textContent = "";
  window.setTimeout(() => { status.textContent = message; }, 50);
}

/** A button pressed before the file is ready says what is missing, instead of doing nothing. */
function notReady() {
  if (current.ok) return false;
  const count = current.problems.length;
  announce(
    `The file is not ready yet: ${count} ${count === 1 ? "thing" : "things"} to fix, listed `
      + `under “Your story file”. First: ${current.problems[0].text}`,
  );
  touchedAll = true;
  markFields(current.problems);
  return true;
}

async function copy() {
  if (notReady()) return;
  try {
    await navigator.clipboard.writeText(current.text);
    announce("Copied the story file.");
  } catch {
    const area = $("draft-text");
    area.focus();
    area.select();
    announce("Selected the story file: press Ctrl+C (or ⌘C) to copy it.");
  }
}

function download() {
  if (notReady()) return;
  const blob = new Blob([current.text], { type: "text/markdown;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = current.name;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  announce(`Downloaded ${current.name}.`);
}

// The draft is kept in this browser's storage so a reload loses nothing; it is never sent.
const STORE = "casebook-contribute-draft";

function saveDraft() {
  const values = {};
  for (const element of form.elements) {
    if (!element.name) continue;
    if (element.type === "radio") {
      if (element.checked) values[element.name] = element.value;
    } else if (element.type === "checkbox") values[element.name] = element.checked;
    else values[element.name] = element.value;
  }
  try {
    window.localStorage.setItem(STORE, JSON.stringify(values));
  } catch {
    // storage is off or full: the draft simply is not kept
  }
}

function restoreDraft() {
  let values;
  try {
    values = JSON.parse(window.localStorage.getItem(STORE) || "null");
  } catch {
    return false;
  }
  if (!values || typeof values !== "object") return false;
  for (const element of form.elements) {
    if (!element.name || !Object.hasOwn(values, element.name)) continue;
    const value = values[element.name];
    if (element.type === "radio") element.checked = element.value === value;
    else if (element.type === "checkbox") element.checked = value === true;
    else if (typeof value === "string") element.value = value;
    if (element.value && element.type !== "radio" && element.type !== "checkbox") {
      touched.add(element.id);
    }
  }
  return true;
}

let clearPressedAt = 0;

function clearForm() {
  const button = $("draft-clear");
  if (Date.now() - clearPressedAt > 5000) {
    clearPressedAt = Date.now();
    button.textContent = "Press again to clear everything";
    announce("Press “Clear the form” again within five seconds to remove everything you typed.");
    window.setTimeout(() => { button.textContent = "Clear the form"; }, 5000);
    return;
  }
  clearPressedAt = 0;
  form.reset();
  touched.clear();
  touchedAll = false;
  try {
    window.localStorage.removeItem(STORE);
  } catch {
    // nothing was kept
  }
  button.textContent = "Clear the form";
  update();
  announce("Cleared the form and the draft kept in this browser.");
}

form.addEventListener("input", () => { update(); saveDraft(); });
form.addEventListener("change", (event) => {
  touched.add(event.target.id);
  update();
  saveDraft();
});
// A problem's link takes the keyboard to its field, with the field's label in view.
$("draft-problems").addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='#']");
  const target = link && document.getElementById(link.hash.slice(1));
  if (!target) return;
  event.preventDefault();
  (target.closest("fieldset, .field") || target).scrollIntoView();
  target.focus({ preventScroll: true });
});
$("draft-clear").addEventListener("click", clearForm);
form.addEventListener("submit", (event) => event.preventDefault());
$("draft-copy").addEventListener("click", copy);
$("draft-download").addEventListener("click", download);
section.hidden = false;
if (restoreDraft()) announce("Restored the draft kept in this browser.");
update();
