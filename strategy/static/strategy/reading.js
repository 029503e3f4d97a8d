// Reports which sections a reader has actually reached: a section counts as read
// once its end has scrolled into view. Keys are sent in small batches.
(function () {
  const doc = document.querySelector("[data-read-url]");
  if (!doc || !("IntersectionObserver" in window)) return;
  const url = doc.dataset.readUrl;
  const token = doc.dataset.csrf;
  const pending = new Set();
  let timer = null;

  function flush() {
    timer = null;
    if (!pending.size) return;
    const body = new URLSearchParams();
    pending.forEach((k) => body.append("key", k));
    pending.clear();
    fetch(url, { method: "POST", body, headers: { "X-CSRFToken": token }, credentials: "same-origin", keepalive: true });
  }

  const observer = new IntersectionObserver((entries) => {
    entries.forEach((entry) => {
      if (!entry.isIntersecting) return;
      const section = entry.target.closest("[data-section-key]");
      const key = section.dataset.sectionKey;
      observer.unobserve(entry.target);
      if (section.dataset.read === "1") return;
      section.dataset.read = "1";
      const mark = section.querySelector(".read-mark");
      if (mark) mark.hidden = false;
      const count = document.getElementById("read-count");
      if (count) count.textContent = String(Number(count.textContent) + 1);
      pending.add(key);
      if (!timer) timer = setTimeout(flush, 400);
    });
  });
  document.querySelectorAll("[data-section-key] .section-end").forEach((el) => observer.observe(el));
  window.addEventListener("pagehide", flush);
})();

// Selecting words in a section turns its "Give feedback" link into feedback on that quoted passage.
(function () {
  document.addEventListener("mouseup", () => {
    const selection = window.getSelection();
    const text = selection ? selection.toString().trim().replace(/\s+/g, " ") : "";
    if (!text || !selection.anchorNode) return;
    const section = selection.anchorNode.parentElement && selection.anchorNode.parentElement.closest("[data-section-key]");
    if (!section) return;
    const link = section.querySelector("a[data-feedback-link]");
    if (!link) return;
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("quote", text.slice(0, 500));
    link.href = url.toString();
    link.textContent = "Give feedback on the selected passage";
  });
})();

