// The radar chart: one axis per sub-element, stage 0 at the centre and the last stage at the
// rim; one line per side, told apart by dashes and marker shapes as well as by colour.
// Built with DOM calls only (no markup strings) and styled by classes in site.css.

import { SIDES, stageLabel } from "./assess-model.js";

const SVG = "http://www.w3.org/2000/svg";
export const GEOMETRY = Object.freeze({ width: 720, height: 540, cx: 360, cy: 270, radius: 180 });

// Where a stage sits on the axis of sub-element `index` of `count`, rounded to 1/100 unit.
export function point(index, count, stage, stages, geometry = GEOMETRY) {
  const angle = -Math.PI / 2 + (2 * Math.PI * index) / count;
  const r = (geometry.radius * stage) / stages;
  const round = (value) => Math.round(value * 100) / 100;
  return { x: round(geometry.cx + r * Math.cos(angle)), y: round(geometry.cy + r * Math.sin(angle)) };
}

function element(name, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

// Long names on two or three lines of about fourteen characters.
function wrap(text, width = 14) {
  const lines = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

// Line offsets are in em, so the label keeps its shape at whatever size site.css gives it.
// A compact chart labels each axis with the sub-element's number in the tool ("1a"), which
// the table below gives with its name, so that on a phone the labels can be large enough to
// read and the chart still fills the width.
function axisLabel(sub, index, count, stages, compact) {
  const at = point(index, count, stages * 1.16, stages);
  const dx = at.x - GEOMETRY.cx;
  const dy = at.y - GEOMETRY.cy;
  const anchor = Math.abs(dx) < 10 ? "middle" : dx > 0 ? "start" : "end";
  const lines = compact ? [sub.code] : wrap(sub.name);
  const spread = (lines.length - 1) * 1.15;
  const first = dy < -10 ? -spread : dy > 10 && anchor === "middle" ? 0.8 : 0.35 - spread / 2;
  const text = element("text", { class: "radar__label", x: at.x, y: at.y, "text-anchor": anchor });
  lines.forEach((line, i) => {
    text.append(element("tspan", { x: at.x, dy: `${i ? 1.15 : first}em` }, line));
  });
  return text;
}

function polygon(count, stage, stages) {
  const points = [];
  for (let i = 0; i < count; i += 1) {
    const p = point(i, count, stage, stages);
    points.push(`${p.x},${p.y}`);
  }
  return points.join(" ");
}

// The line of one side: a closed polygon when every sub-element has a stage; otherwise
// segments join neighbouring axes only where both have one, so a sub-element left blank
// shows as a break, never as a made-up value.
function sideLine(rows, side, rubric) {
  const count = rows.length;
  const stages = rubric.stages.length;
  const group = element("g", { class: `radar__side radar__side--${side.id}`, "data-side": side.id });
  const points = rows.map((row, i) => (row[side.id] === null ? null : point(i, count, row[side.id], stages)));
  if (points.every((p) => p !== null)) {
    group.append(element("polygon", { class: "radar__line", points: points.map((p) => `${p.x},${p.y}`).join(" ") }));
  } else {
    const segments = [];
    points.forEach((a, i) => {
      const b = points[(i + 1) % count];
      if (a !== null && b !== null && a !== b) segments.push(`M${a.x},${a.y}L${b.x},${b.y}`);
    });
    if (segments.length) group.append(element("path", { class: "radar__line", d: segments.join("") }));
  }
  points.forEach((p, i) => {
    if (p === null) return;
    const row = rows[i];
    const stage = row[side.id];
    const data = { class: "radar__point", "data-sub-element": row.sub.id, "data-stage": stage, "data-x": p.x, "data-y": p.y };
    const marker =
      side.id === "su"
        ? element("circle", { ...data, cx: p.x, cy: p.y, r: 6 })
        : element("rect", { ...data, x: p.x - 8, y: p.y - 8, width: 16, height: 16 });
    marker.append(element("title", {}, `${side.name}, ${row.sub.name}: ${stageLabel(rubric, stage)}`));
    group.append(marker);
  });
  return group;
}

export function radarChart(rows, rubric, { compact = false } = {}) {
  const stages = rubric.stages.length;
  const count = rows.length;
  const { width, height, cx, cy } = GEOMETRY;
  const svg = element("svg", {
    class: compact ? "radar__chart radar__chart--compact" : "radar__chart",
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-labelledby": "radar-title",
    "data-cx": cx,
    "data-cy": cy,
    "data-radius": GEOMETRY.radius,
    "data-stages": stages,
  });
  svg.append(
    element(
      "title",
      { id: "radar-title" },
      "Radar chart of both views: one axis per sub-element, from the centre to stage " +
        `${stages} at the rim. The table below gives the same stages.`,
    ),
  );
  const grid = element("g", { class: "radar__grid", "aria-hidden": "true" });
  for (let s = 1; s <= stages; s += 1) {
    grid.append(element("polygon", { class: "radar__ring", points: polygon(count, s, stages) }));
    const at = point(0, count, s, stages);
    // left of the first axis, clear of the markers on it (16 units wide), level with its ring
    const label = {
      class: "radar__ring-label", x: at.x - 14, y: at.y, dy: "0.35em", "text-anchor": "end",
    };
    grid.append(element("text", label, String(s)));
  }
  rows.forEach((row, i) => {
    const end = point(i, count, stages, stages);
    grid.append(element("line", { class: "radar__axis", x1: cx, y1: cy, x2: end.x, y2: end.y }));
    grid.append(axisLabel(row.sub, i, count, stages, compact));
  });
  svg.append(grid);
  for (const side of SIDES) svg.append(sideLine(rows, side, rubric));
  return svg;
}

// Once the chart is on the page, its view is set to what is drawn, labels included, plus a
// margin: long sub-element names are never cut off, and no width is wasted on empty space.
// A chart not laid out (its figure hidden) keeps the fixed view.
export function fitView(svg, margin = 8) {
  const box = svg.getBBox();
  if (box.width === 0 || box.height === 0) return;
  const x = Math.floor(box.x - margin);
  const y = Math.floor(box.y - margin);
  const right = Math.ceil(box.x + box.width + margin);
  const bottom = Math.ceil(box.y + box.height + margin);
  svg.setAttribute("viewBox", `${x} ${y} ${right - x} ${bottom - y}`);
}

// The key, as HTML beside the chart: each side's line and marker drawn small, then its name.
export function radarKey() {
  const list = document.createElement("ul");
  list.className = "radar__key";
  for (const side of SIDES) {
    const item = document.createElement("li");
    const swatch = element("svg", { class: `radar__swatch radar__side--${side.id}`, viewBox: "0 0 48 20", "aria-hidden": "true", focusable: "false" });
    swatch.append(element("line", { class: "radar__line", x1: 2, y1: 10, x2: 46, y2: 10 }));
    swatch.append(
      side.id === "su"
        ? element("circle", { class: "radar__point", cx: 24, cy: 10, r: 6 })
        : element("rect", { class: "radar__point", x: 16, y: 2, width: 16, height: 16 }),
    );
    const words = side.id === "su" ? "solid line, round markers" : "dashed line, square markers";
    item.append(swatch, ` ${side.name}: ${words}`);
    list.append(item);
  }
  return list;
}
