// Progressive enhancement only: every form works without JavaScript.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
// A choice made in one way of choosing (the referral's recipient) selects that way's radio.
document.addEventListener("change", (event) => {
  const route = event.target.closest("[data-route]");
  if (route && event.target.value) {
    const radio = route.closest("form").querySelector(
      `input[type=radio][name=route][value="${route.dataset.route}"]`,
    );
    if (radio) radio.checked = true;
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// On a phone the site menu folds behind a button. Without JavaScript the button stays hidden
// and the menu open, so that every link is still there.
const menuButton = document.querySelector(".menu-button");
if (menuButton) {
  const menu = document.getElementById(menuButton.getAttribute("aria-controls"));
  menuButton.hidden = false;
  document.documentElement.classList.add("has-menu-button");
  const setOpen = (open) => {
    menuButton.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  };
  menuButton.addEventListener("click", () => setOpen(menuButton.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      setOpen(false);
      menuButton.focus();
    }
  });
}

// A table wider than the screen scrolls sideways inside its box: keyboard users must reach it
// too, so the box takes the focus, as a region named after the table's caption or heading.
const tableHeading = (box) => {
  const caption = box.querySelector("caption");
  if (caption && caption.textContent.trim()) return caption;
  let before = box.previousElementSibling;
  while (before && !/^H[1-6]$/.test(before.tagName)) before = before.previousElementSibling;
  return before;
};
let tableCount = 0;
const markScrollingTables = () => {
  for (const box of document.querySelectorAll(".table-scroll")) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      const heading = tableHeading(box);
      if (heading) {
        heading.id = heading.id || `table-heading-${++tableCount}`;
        box.setAttribute("aria-labelledby", heading.id);
      } else {
        box.setAttribute("aria-label", document.body.dataset.tableLabel);
      }
    } else if (box.hasAttribute("tabindex")) {
      for (const name of ["tabindex", "role", "aria-label", "aria-labelledby"]) {
        box.removeAttribute(name);
      }
    }
  }
};
markScrollingTables();
window.addEventListener("resize", markScrollingTables);
