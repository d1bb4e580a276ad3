// A table in a .table-scroll region is a Tab stop so that a keyboard can scroll it sideways.
// The page says so in its HTML (tabindex="0"), since without script nothing can tell which
// tables are wider than the screen. Here a region keeps its Tab stop only while its table is
// wider than it, so a table that fits is not one more stop for nothing; turning a phone or
// resizing the window asks again. A region that has the focus keeps its stop until it loses it.

const regions = document.querySelectorAll('.table-scroll[tabindex="0"]');

function fit(region) {
  if (region.scrollWidth > region.clientWidth) {
    region.setAttribute("tabindex", "0");
  } else if (document.activeElement !== region) {
    region.removeAttribute("tabindex");
  }
}

if (regions.length > 0 && "ResizeObserver" in window) {
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) fit(entry.target.closest(".table-scroll"));
  });
  for (const region of regions) {
    observer.observe(region);
    for (const child of region.children) observer.observe(child);
    region.addEventListener("focusout", () => fit(region));
  }
}
