// Small progressive enhancements. Every page works without this file.

// Reads a text out in the page's live region (#announcer, in base.html). Emptied first, so
// that the same message is read out again when it comes twice.
function announce(text) {
  "use strict";
  var announcer = document.getElementById("announcer");
  if (!announcer) return;
  announcer.textContent = "";
  setTimeout(function () { announcer.textContent = text; }, 100);
}

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

  // The request form: the call's fields (phone, time, text message) are hidden while the
  // parent has chosen an answer on the status page. Without this file they stay, with a hint.
  function setUpContactChoice(form) {
    var group = form.querySelector("[data-call-fields]");
    var radios = form.querySelectorAll('input[name="contact_method"]');
    if (!group || !radios.length || form.dataset.contactReady) return;
    form.dataset.contactReady = "1";
    function update() {
      var chosen = form.querySelector('input[name="contact_method"]:checked');
      group.hidden = !!chosen && chosen.value === "status_page";
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function enhance(root) {
    root.querySelectorAll("[data-character-count]").forEach(setUpCharacterCount);
    var forms = root.matches && root.matches("form") ? [root] : root.querySelectorAll("form");
    Array.prototype.forEach.call(forms, setUpContactChoice);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();

// After an inline action: move the focus to what changed when the focused element was
// replaced. (The request's version travels with each form: data-hx-include.)
document.addEventListener("htmx:afterSettle", function () {
  "use strict";
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

// Quick exit: through our own address, which ends the session on the server, to the neutral
// site in place of this page, so that the Back button does not bring the page back. Pressing
// Esc twice does the same, except while typing in a field. Without this file the link still
// ends the session and leads there.
(function () {
  "use strict";
  function leave() {
    var link = document.querySelector("[data-quick-exit]");
    if (link) window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-quick-exit]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    leave();
  });
  function typing(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return ["checkbox", "radio", "button", "submit", "reset"].indexOf(element.type) === -1;
  }
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.isComposing || typing(document.activeElement)) {
      lastEscape = 0;
      return;
    }
    if (!document.querySelector("[data-quick-exit]")) return;
    var now = Date.now();
    if (now - lastEscape < 1500) {
      leave();
    } else {
      lastEscape = now;
    }
  });
  // A public page brought back from the browser's back-forward cache is loaded again from
  // the server, which shows it only while the session lives.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && document.querySelector("[data-quick-exit]")) {
      window.location.reload();
    }
  });
})();

// The reference and secret code (templates/intake/_secret_code.html): copy and print.
(function () {
  "use strict";
  document.querySelectorAll("[data-code-tools]").forEach(function (tools) {
    tools.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var copy = event.target.closest ? event.target.closest("[data-copy-code]") : null;
    if (copy) {
      var done = function () {
        var announcer = document.getElementById("announcer");
        if (announcer) announcer.textContent = copy.getAttribute("data-copied");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(copy.getAttribute("data-copy-text")).then(done, function () {});
      }
      return;
    }
    if (event.target.closest && event.target.closest("[data-print-page]")) {
      window.print();
    }
  });
})();

// The language buttons of the request form post what is typed to the form in the other
// language as a whole new page: htmx's own handling of the form's submit is skipped.
document.addEventListener("submit", function (event) {
  "use strict";
  var submitter = event.submitter;
  if (submitter && submitter.name === "switch_language") {
    event.stopPropagation();
  }
}, true);

// ---------------------------------------------------------------------------------------
// The idle limit of a staff session (templates/staff/base.html, #session-warning).
//
// The server says how many seconds of the idle limit are left: in data-remaining when a page
// is drawn, and in the X-Session-Remaining header of every answer. A while before the end the
// page asks the server again (another tab may have been used), then shows the warning, moves
// the focus to its "Stay signed in" button and announces it. At the end the page asks once
// more; if the session has ended it keeps what was typed and goes to the sign-in page.
//
// Requests that htmx makes on its own ("every Ns" triggers) carry X-Background-Request, so
// they never count as activity on the server.
//
// What was typed and not saved is kept only when the session has ended: in sessionStorage of
// this tab (gone when the tab closes; never localStorage or a cookie), with the user's id.
// It is put back, and removed from the storage, when the same user signs in again and the
// same page opens; a different user's sign-in or an explicit sign-out removes it.
// ---------------------------------------------------------------------------------------
(function () {
  "use strict";

  var DRAFTS_KEY = "pyydaapua.staff-drafts";
  var TEXT_TYPES = ["text", "search", "email", "tel", "url", "number", "date", "time", "datetime-local"];

  function isPoll(elt) {
    var trigger = elt && elt.getAttribute &&
      (elt.getAttribute("data-hx-trigger") || elt.getAttribute("hx-trigger"));
    return !!trigger && /^\s*every\s/.test(trigger);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (isPoll(event.detail.elt)) event.detail.headers["X-Background-Request"] = "1";
  });

  function storage() {
    try { return window.sessionStorage; } catch (error) { return null; }
  }

  function forgetDrafts() {
    var store = storage();
    if (store) store.removeItem(DRAFTS_KEY);
  }

  function typedFields() {
    var fields = [];
    document.querySelectorAll("main form[action]").forEach(function (form) {
      form.querySelectorAll("textarea[name], input[name]").forEach(function (field) {
        if (field.tagName === "INPUT" && TEXT_TYPES.indexOf(field.type) < 0) return;
        if (!field.value || field.value === field.defaultValue) return;
        fields.push({ form: form.getAttribute("action"), name: field.name, value: field.value });
      });
    });
    return fields;
  }

  function keepDrafts(user) {
    var store = storage();
    var fields = typedFields();
    if (!store || !user || fields.length === 0) return;
    store.setItem(DRAFTS_KEY, JSON.stringify({
      user: user, path: window.location.pathname, fields: fields
    }));
  }

  function restoreDrafts(warning) {
    var store = storage();
    var raw = store && store.getItem(DRAFTS_KEY);
    if (!raw) return;
    var drafts;
    try { drafts = JSON.parse(raw); } catch (error) { drafts = null; }
    if (!drafts || drafts.user !== warning.dataset.user) {
      forgetDrafts();  // another user's text is never shown
      return;
    }
    if (drafts.path !== window.location.pathname) return;
    var first = null;
    (drafts.fields || []).forEach(function (saved) {
      var form = Array.prototype.find.call(document.querySelectorAll("main form[action]"),
        function (candidate) { return candidate.getAttribute("action") === saved.form; });
      var field = form && form.querySelector('[name="' + CSS.escape(saved.name) + '"]');
      if (!field || (field.value && field.value !== field.defaultValue)) return;
      field.value = saved.value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
      var details = field.closest("details");
      if (details) details.open = true;
      first = first || field;
    });
    forgetDrafts();
    if (!first) return;
    var notice = document.getElementById("service-notice");
    if (notice) {
      var box = document.createElement("div");
      box.className = "notice";
      box.id = "drafts-restored";
      var text = document.createElement("p");
      text.textContent = warning.dataset.restoredText;
      box.appendChild(text);
      notice.innerHTML = "";
      notice.appendChild(box);
    }
    first.focus();
    announce(warning.dataset.restoredText);
  }

  function start() {
    var warning = document.getElementById("session-warning");
    if (!warning) return;
    var keepForm = document.getElementById("session-keep");
    var button = keepForm.querySelector("button");
    var warnMs = parseInt(warning.dataset.warnSeconds, 10) * 1000;
    var deadline = Date.now() + parseInt(warning.dataset.remaining, 10) * 1000;
    var checking = false;
    var ended = false;
    var focusBefore = null;

    function setRemaining(seconds) {
      if (isNaN(seconds)) return;
      deadline = Date.now() + seconds * 1000;
      if (!warning.hidden && deadline - Date.now() > warnMs) hideWarning(false);
    }

    function showWarning() {
      if (!warning.hidden) return;
      focusBefore = document.activeElement;
      warning.hidden = false;
      // A field reached with Tab while the warning is shown scrolls clear of it (WCAG 2.4.11).
      document.documentElement.style.scrollPaddingBottom = warning.offsetHeight + 32 + "px";
      button.focus();
      var parts = [warning.querySelector("h2"), document.getElementById("session-warning-text")];
      announce(parts.map(function (part) { return part.textContent.trim(); }).join(". "));
    }

    function hideWarning(kept) {
      var hadFocus = warning.contains(document.activeElement);
      warning.hidden = true;
      document.documentElement.style.scrollPaddingBottom = "";
      if (!kept) return;
      announce(warning.dataset.keptText);
      if (!hadFocus) return;
      if (focusBefore && document.body.contains(focusBefore) && focusBefore !== document.body) {
        focusBefore.focus();
      } else {
        document.getElementById("main").focus();
      }
    }

    function signInUrl() {
      var url = warning.dataset.signInUrl;
      var here = window.location.pathname + window.location.search;
      return url + (url.indexOf("?") < 0 ? "?" : "&") + "next=" + encodeURIComponent(here);
    }

    function end(target) {
      if (ended) return;
      ended = true;
      keepDrafts(warning.dataset.user);
      window.location.assign(target || signInUrl());
    }

    // Ask the server how long is left; never counts as activity.
    function check(then) {
      if (checking) return;
      checking = true;
      fetch(warning.dataset.statusUrl, {
        credentials: "same-origin",
        headers: {
          "HX-Request": "true",
          "HX-Current-URL": window.location.href,
          "X-Background-Request": "1",
          "Accept": "application/json"
        }
      }).then(function (response) {
        checking = false;
        if (response.status === 200) {
          setRemaining(parseInt(response.headers.get("X-Session-Remaining"), 10));
          then();
        } else if (response.headers.get("HX-Redirect")) {
          end(response.headers.get("HX-Redirect"));
        }
      }, function () {
        checking = false;  // no connection: try again at the next tick
      });
    }

    function tick() {
      if (ended) return;
      var left = deadline - Date.now();
      if (left <= -1000) {
        check(function () {});
      } else if (left <= warnMs && warning.hidden) {
        check(function () { if (deadline - Date.now() <= warnMs) showWarning(); });
      }
    }

    document.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail.xhr;
      var remaining = xhr && xhr.getResponseHeader("X-Session-Remaining");
      if (remaining !== null && remaining !== undefined) setRemaining(parseInt(remaining, 10));
      if (event.detail.elt === keepForm && event.detail.successful) hideWarning(true);
    });

    // The session ended on the server: htmx is about to follow HX-Redirect to the sign-in
    // page. Keep what was typed first.
    document.addEventListener("htmx:beforeOnLoad", function (event) {
      var xhr = event.detail.xhr;
      var target = xhr && xhr.getResponseHeader("HX-Redirect");
      if (target && target.indexOf(warning.dataset.signInUrl.split("?")[0]) === 0) {
        keepDrafts(warning.dataset.user);
      }
    });

    // Leaving the page after the end (the computer slept through it): keep what was typed.
    window.addEventListener("pagehide", function () {
      if (!ended && Date.now() > deadline) keepDrafts(warning.dataset.user);
    });

    document.querySelectorAll('form[action$="/staff/logout"]').forEach(function (form) {
      form.addEventListener("submit", forgetDrafts);
    });

    restoreDrafts(warning);
    setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", start);
})();

// The inbox's folding panels (filters, upcoming visits): opening or folding one is remembered
// with the account (POST /staff/inbox/panels, with the token of the form #inbox-panels). The
// panels fold without this file too; they are then drawn as the account last kept them.
document.addEventListener("toggle", function (event) {
  "use strict";
  var panel = event.target;
  var form = document.getElementById("inbox-panels");
  if (!form || !panel.matches || !panel.matches("details[data-panel]")) return;
  var data = new FormData(form);
  data.append("panel", panel.getAttribute("data-panel"));
  data.append("open", panel.open ? "1" : "0");
  fetch(form.action, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: { "HX-Request": "true" }
  }).catch(function () {});
}, true);

// The inbox's search field, when it is left, does not search again for what its results
// already show. Typing searches after a pause (the filter form listens to "input" on it), and
// leaving a field sends its "change", which the form listens to for its other filters. Clicking
// a result leaves the field: that search's answer would then replace the results, the link
// under the pointer with them, between pressing the button and releasing it, and the click
// would be lost. The address holds the search the results are for (the form pushes it).
document.addEventListener("change", function (event) {
  "use strict";
  var field = event.target;
  if (field.id !== "q" || !field.form || field.form.id !== "inbox-filters") return;
  var shown = new URLSearchParams(window.location.search).get("q") || "";
  if (field.value === shown) event.stopPropagation();
}, true);

// A focused element is never hidden under a sticky bar (WCAG 2.4.11). The quick exit bar, and
// under it the service notice while it shows something, stay at the top of the screen; a field
// reached with Tab or a followed link scrolls clear of both. Without this file, site.css's
// scroll-padding-top keeps clear of the exit bar.
(function () {
  "use strict";

  function clearOfStickyBars() {
    var root = document.documentElement;
    var bar = document.querySelector(".exit-bar");
    var notice = document.getElementById("service-notice");
    var top = bar ? bar.offsetHeight : 0;
    root.style.setProperty("--sticky-top", top + "px");
    var covered = top + (notice && notice.firstElementChild ? notice.offsetHeight : 0);
    root.style.scrollPaddingTop = covered ? covered + 16 + "px" : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    clearOfStickyBars();
    var notice = document.getElementById("service-notice");
    if (notice && window.MutationObserver) {
      new MutationObserver(clearOfStickyBars).observe(notice, { childList: true, subtree: true });
    }
    window.addEventListener("resize", clearOfStickyBars);
  });
})();
