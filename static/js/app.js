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

// The notice that the service was unavailable, or that an inline action failed, goes away
// once an htmx request succeeds again.
document.addEventListener("htmx:afterRequest", function (event) {
  "use strict";
  var notice = document.getElementById("service-notice");
  var xhr = event.detail.xhr;
  var answered = xhr && xhr.status > 0 && xhr.status < 500 && !event.detail.failed;
  if (notice && answered && notice.firstChild) {
    notice.innerHTML = "";
  }
});

// An inline action refused (401, 403), gone (404), failed on the server (5xx) or never
// answered (no connection, timeout): nothing is swapped, so everything typed stays, and a
// notice says what happened. The texts are in base.html's #request-error-messages.
(function () {
  "use strict";

  function kindOf(status) {
    if (status === 401) return "session";
    if (status === 403) return "forbidden";
    if (status === 404 || status === 410) return "not-found";
    if (status >= 500) return "server";
    if (status === 0) return "network";
    return "other";
  }

  function announce(text) {
    var announcer = document.getElementById("announcer");
    if (!announcer) return;
    // Emptied first, so that the same message is read out again when it comes twice.
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 100);
  }

  function showFailure(kind) {
    var notice = document.getElementById("service-notice");
    var messages = document.getElementById("request-error-messages");
    if (!notice || !messages) return;
    var message = messages.content.querySelector('[data-error="' + kind + '"]');
    if (!message) return;
    notice.innerHTML = "";
    notice.appendChild(message.cloneNode(true));
    var parts = Array.prototype.map.call(message.children, function (part) {
      return part.textContent.replace(/\s+/g, " ").trim();
    });
    announce(parts.join(". "));
  }

  document.addEventListener("htmx:responseError", function (event) {
    showFailure(kindOf(event.detail.xhr.status));
  });
  document.addEventListener("htmx:sendError", function () { showFailure("network"); });
  document.addEventListener("htmx:timeout", function () { showFailure("network"); });
})();

// Quick exit: go to the neutral site in place of this page, so that the Back button does not
// bring the page back. Without this file the link still leads there.
document.addEventListener("click", function (event) {
  "use strict";
  var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  window.location.replace(link.href);
});

// The language buttons of the request form post what is typed to the form in the other
// language as a whole new page: htmx's own handling of the form's submit is skipped.
document.addEventListener("submit", function (event) {
  "use strict";
  var submitter = event.submitter;
  if (submitter && submitter.name === "switch_language") {
    event.stopPropagation();
  }
}, true);
