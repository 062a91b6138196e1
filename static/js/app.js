// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function formatCount(group, count) {
    var max = parseInt(group.dataset.max, 10);
    var left = max - count;
    var n = Math.abs(left);
    var key = (left < 0 ? "over" : "remaining") + (n === 1 ? "One" : "Other");
    var number = new Intl.NumberFormat(document.documentElement.lang).format(n);
    return { text: group.dataset[key].replace("{n}", number), over: left < 0 };
  }

  // A character count like GOV.UK's: visible at once, announced when typing pauses.
  function setUpCharacterCount(group) {
    if (group.dataset.countReady) return;
    group.dataset.countReady = "1";
    var textarea = group.querySelector("textarea");
    var visible = group.querySelector(".character-count");
    var live = group.querySelector(".character-count-live");
    var timer = null;
    function update(announce) {
      var result = formatCount(group, textarea.value.length);
      visible.textContent = result.text;
      visible.classList.toggle("is-over", result.over);
      clearTimeout(timer);
      if (announce) {
        timer = setTimeout(function () { live.textContent = result.text; }, 1000);
      }
    }
    textarea.addEventListener("input", function () { update(true); });
    update(false);
  }

  function enhance(root) {
    root.querySelectorAll("[data-character-count]").forEach(setUpCharacterCount);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();

// After an inline action: keep every form on the page at the request's current version,
// and move the focus to what changed when the focused element was replaced.
document.addEventListener("htmx:afterSettle", function () {
  "use strict";
  var version = document.getElementById("request-version");
  if (version) {
    document.querySelectorAll('input[name$="version"]').forEach(function (input) {
      input.value = version.dataset.version;
    });
  }
  var target = document.querySelector("[data-focus]");
  if (target) {
    target.removeAttribute("data-focus");
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus();
  }
});

// Print buttons (reports, data-rights pages): shown only when this file runs.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});

// The notice that the service was unavailable goes away once an htmx request succeeds again.
document.addEventListener("htmx:afterRequest", function (event) {
  "use strict";
  var notice = document.getElementById("service-notice");
  var xhr = event.detail.xhr;
  if (notice && xhr && xhr.status < 500 && notice.firstChild) {
    notice.innerHTML = "";
  }
});
