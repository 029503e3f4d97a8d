// Small behaviours that would otherwise be inline handlers, which the
// Content-Security-Policy (script-src 'self') forbids.
(function () {
  // <button data-suggestion="x" data-fill="id_name">: put the suggestion into that field
  // and let the field's own htmx trigger re-check it.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-suggestion][data-fill]");
    if (!button) return;
    const input = document.getElementById(button.dataset.fill);
    if (!input) return;
    input.value = button.dataset.suggestion;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // <select data-autosubmit>: choosing an option submits its form (a <noscript> button covers no-JS).
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
})();
