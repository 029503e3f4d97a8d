// Show slots in the visitor's own time zone: on the first visit (no ?tz= chosen yet), pick the
// zone the browser reports and reload once. Without JavaScript the select does the same job.
(function () {
  var select = document.getElementById("tz");
  if (!select || select.dataset.autoDetect !== "yes") return;
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || zone === select.value) return;
  var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
  if (!known) {
    var option = document.createElement("option");
    option.value = zone; option.textContent = zone;
    select.insertBefore(option, select.firstChild);
  }
  select.value = zone;
  document.getElementById("tz-form").submit();
})();
// A second click on a confirm button sends nothing more.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("[data-once]");
  if (!button) return;
  if (button.dataset.sent) { event.preventDefault(); return; }
  button.dataset.sent = "1";
});
