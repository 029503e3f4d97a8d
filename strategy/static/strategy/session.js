// The review session page: a per-item countdown, and no poll swap while someone is typing,
// so the two-second refresh never wipes a half-written position or question.
(function () {
  // htmx carries an old element's style attribute over to its replacement when settling; under
  // the CSP (style-src 'self') that is refused and reported. This page settles classes only.
  if (window.htmx) window.htmx.config.attributesToSettle = ["class", "width", "height"];
  function typing(live) {
    const active = document.activeElement;
    if (active && live.contains(active) && active.matches("input, textarea, select")) return true;
    return Array.from(live.querySelectorAll("input[type=text], input:not([type]), textarea")).some(
      (el) => el.value.trim() !== ""
    );
  }

  document.body.addEventListener("htmx:beforeRequest", (event) => {
    const live = document.getElementById("live");
    if (live && event.detail.elt === live && event.detail.requestConfig.verb === "get" && typing(live)) {
      event.preventDefault();
    }
  });

  function tick() {
    document.querySelectorAll("[data-timer-ends]").forEach((el) => {
      const ends = Date.parse(el.dataset.timerEnds);
      if (Number.isNaN(ends)) return;
      const left = Math.round((ends - Date.now()) / 1000);
      const abs = Math.abs(left);
      const text = `${left < 0 ? "−" : ""}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, "0")}`;
      el.textContent = text;
      el.classList.toggle("overrun", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", tick);
})();
