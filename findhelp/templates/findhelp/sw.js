{% autoescape off %}// Relais "find help": each page is fetched from the network when there is one and kept; without
// one, the copy kept last is shown, or the whole directory in the page's language.
const CACHE = "relais-find-help-{{ version }}";
const PRECACHE = {{ precache }};
const SCOPE = "{{ scope }}";
const STATIC = "{{ static_prefix }}";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("relais-find-help-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

function canonical(url) {
  // The same list whatever the order of its filters, or the empty ones a form sends.
  const kept = new URL(url.pathname, url.origin);
  [...url.searchParams.entries()].filter(([, value]) => value !== "").sort().forEach(([key, value]) => kept.searchParams.append(key, value));
  return kept.href;
}

function fallback(url) {
  // A filtered list never seen: the whole directory in the same language, as kept last.
  const language = url.pathname.slice(SCOPE.length).split("/")[0];
  return caches.match(SCOPE + language + "/");
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith(SCOPE) && !url.pathname.startsWith(STATIC)) return;
  event.respondWith(
    fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(canonical(url), copy));
        }
        return response;
      })
      .catch(() => caches.match(canonical(url)).then((kept) => kept || fallback(url)))
  );
});
{% endautoescape %}
