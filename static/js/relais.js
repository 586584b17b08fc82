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
