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

// The browser's date and time pickers speak the browser's language, which may not be the page's
// (a phone in English, the page in Arabic): each one repeats its value beside it as the page's
// language writes it, in the page's digits, and names it for screen readers.
const echoFormats = {
  date: [{ dateStyle: "full" }, (value) => `${value}T00:00:00Z`],
  time: [{ hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, (value) => `1970-01-01T${value.slice(0, 5)}:00Z`],
};
// English here is written day first (config/formats/en), as in Britain.
const echoLocale = { en: "en-GB" }[document.documentElement.lang] || document.documentElement.lang;
let echoCount = 0;
for (const input of document.querySelectorAll("input[data-echo]")) {
  const [options, iso] = echoFormats[input.dataset.echo] || [];
  if (!options) continue;
  const format = new Intl.DateTimeFormat(echoLocale, {
    ...options,
    timeZone: "UTC",
    numberingSystem: "latn",
  });
  const echo = document.createElement("span");
  echo.className = "echo small muted";
  echo.id = `${input.id || `echo-input-${++echoCount}`}-echo`;
  input.insertAdjacentElement("afterend", echo);
  const described = input.getAttribute("aria-describedby");
  input.setAttribute("aria-describedby", described ? `${described} ${echo.id}` : echo.id);
  const show = () => {
    const moment = input.value ? new Date(iso(input.value)) : null;
    echo.textContent = moment && !Number.isNaN(moment.getTime()) ? format.format(moment) : "";
  };
  input.addEventListener("input", show);
  input.addEventListener("change", show);
  show();
}

// Print buttons appear where a script can print; the browser's own menu prints the same page.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
