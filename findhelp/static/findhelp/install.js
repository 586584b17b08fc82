// Keeps the "find help" pages working offline (the pages need no JavaScript otherwise).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/find-help/sw.js", { scope: "/find-help/" }).catch(() => {});
}
