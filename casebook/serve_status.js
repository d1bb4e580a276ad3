// casebook serve: reload the page when the site is rebuilt, and if the last save could not be
// built, say so at the top of the page. The site shown is the last good build; the problems
// are the ones the terminal printed. (livereload's own loader is an inline script, which the
// site's Content-Security-Policy forbids; this file loads livereload.js instead.)
const statusUrl = document.querySelector("script[data-casebook-status]").dataset.casebookStatus;

const reloader = document.createElement("script");
const port = window.location.port || 80;
reloader.src = `//${window.location.hostname}:${port}/livereload.js?port=${port}`;
document.head.append(reloader);

async function show() {
  let status;
  try {
    const answer = await fetch(statusUrl, { cache: "no-store" });
    status = await answer.json();
  } catch {
    return;
  }
  if (!Array.isArray(status.problems) || status.problems.length === 0) return;
  const box = document.createElement("section");
  box.setAttribute("role", "alert");
  box.setAttribute("aria-labelledby", "casebook-serve-problems");
  box.className = "serve-problems";
  Object.assign(box.style, {
    background: "#fff4e5", color: "#1a1a1a", border: "4px solid #b35900",
    padding: "1rem", margin: "0", fontFamily: "system-ui, sans-serif",
  });
  const heading = document.createElement("h2");
  heading.id = "casebook-serve-problems";
  heading.textContent =
    `Your last save could not be built (${status.problems.length} ` +
    `${status.problems.length === 1 ? "problem" : "problems"}); this is the last good site`;
  const list = document.createElement("ul");
  for (const problem of status.problems) {
    const item = document.createElement("li");
    const code = document.createElement("code");
    code.textContent = String(problem);
    item.append(code);
    list.append(item);
  }
  box.append(heading, list);
  document.body.prepend(box);
}

show();
