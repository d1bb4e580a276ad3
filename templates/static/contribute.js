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

function body(text) {
  return text.replace(/\r\n?/g, "\n").trim();
}

/** storytext.story_text */
function storyText(draft) {
  const lines = [
    "---",
    `# yaml-language-server: $schema=${settings.schemaUrl}`,
    `title: ${yamlScalar(draft.title)}`,
    `date: ${draft.date}`,
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

/** A one-line text answer, checked like check does; problems name the question. */
function text(name, label, problems, { required = true, oneLine = true } = {}) {
  const element = field(name);
  const value = element.value.trim();
  const limit = element.maxLength > 0 ? element.maxLength : Infinity;
  if (!value) {
    if (required) problems.push(`${label}: write it in a few words.`);
  } else if (forbidden.test(value.replace(/[\n\t]/g, " "))) {
    problems.push(`${label}: it contains an invisible control character; retype it.`);
  } else if (oneLine && value.includes("\n")) {
    problems.push(`${label}: keep it on one line.`);
  } else if (value.length > limit) {
    problems.push(`${label}: it is ${value.length} characters long; keep it to ${limit}.`);
  }
  return value;
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
  };
  const date = draft.date;
  const real = /^\d{4}-\d\d-\d\d$/.test(date) && !Number.isNaN(Date.parse(`${date}T00:00:00Z`))
    && new Date(`${date}T00:00:00Z`).toISOString().startsWith(date);
  if (!date) problems.push("Date: write the day of the self-assessment, like 2025-03-14.");
  else if (!real) problems.push(`Date: '${date}' is not a real date; write it like 2025-03-14.`);
  else if (date > today()) problems.push(`Date: ${date} is in the future.`);
  if (!draft.perspective) problems.push("Who is writing the story: choose one.");
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
    problems.push("Where your partnership is: choose a stage for at least one part of the tool.");
  }
  for (const [label, value] of [
    [settings.whyHeading, draft.why],
    [settings.nextHeading, draft.next],
  ]) {
    if (forbidden.test(value.replace(/\t/g, " "))) {
      problems.push(`${label}: it contains an invisible control character; retype it.`);
    }
  }
  for (const line of field("contributors").value.split("\n")) {
    if (!line.trim()) continue;
    const comma = line.indexOf(",");
    const name = (comma < 0 ? line : line.slice(0, comma)).trim();
    const role = comma < 0 ? "" : line.slice(comma + 1).trim();
    if (!name) problems.push(`Who wrote it: '${line.trim()}' has no name before its comma.`);
    else if (name.length > 200 || role.length > 200) {
      problems.push("Who wrote it: keep each name and role to 200 characters.");
    } else if (forbidden.test(line)) {
      problems.push("Who wrote it: it contains an invisible control character; retype it.");
    } else draft.contributors.push({ name, role });
  }
  for (const tag of field("tags").value.split(",").map((t) => t.trim())) {
    if (!tag) continue;
    if (!slugPattern.test(tag)) {
      const suggestion = slugify(tag) || "outreach";
      problems.push(
        `Topics: '${tag}' may use only lowercase letters, digits and hyphens, for example '${suggestion}'.`,
      );
    } else if (!draft.tags.includes(tag)) draft.tags.push(tag);
  }
  return { draft, problems };
}

let current = { text: "", name: "", ok: false };

function say(element, message) {
  if (element.textContent !== message) element.textContent = message;
}

function update() {
  const { draft, problems } = readForm();
  const name = `${fileStem({ ...draft, date: draft.date || today() })}.md`;
  const fileText = storyText({ ...draft, date: draft.date || "YYYY-MM-DD" });
  current = { text: fileText, name, ok: problems.length === 0 };
  $("draft-text").value = fileText;
  $("draft-name").textContent = `${settings.folder}/${name}`;
  const list = $("draft-problems");
  list.replaceChildren(
    ...problems.map((p) => {
      const item = document.createElement("li");
      item.textContent = p;
      return item;
    }),
  );
  const count = problems.length;
  say(
    $("draft-status"),
    count === 0
      ? "The story file is ready: it passes the same checks the site runs."
      : `${count} ${count === 1 ? "thing" : "things"} to fix before the file is ready:`,
  );
  $("draft-copy").disabled = !current.ok;
  $("draft-download").disabled = !current.ok;
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
      "“Propose on GitHub” opens GitHub with the file filled in: sign in, then choose "
        + "“Propose new file” (or “Commit changes”) and “Create pull request”.",
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

async function copy() {
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

form.addEventListener("input", update);
form.addEventListener("change", update);
form.addEventListener("submit", (event) => event.preventDefault());
$("draft-copy").addEventListener("click", copy);
$("draft-download").addEventListener("click", download);
section.hidden = false;
update();
