// The calendar button of a day field (macros/form.html day_field): an aid only. The field is
// text, typed as 9.12.2026 or 9.12.2026 14.30 whatever the browser's language, and works
// without this file; the button (hidden until this file runs) opens the browser's own date
// picker on an invisible <input type="date"> and writes the chosen day back into the text
// field as day.month.year, keeping the time after it. The server reads the text with
// pyydaapua/rules/typed_dates.py; here the day is read only to open the picker on it.
(function () {
  "use strict";

  var DAY = /^\s*([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\.?(?=\s|$)/;

  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // The day at the start of the text as the date input's value (2026-12-09), or "".
  function machineDay(text) {
    var match = DAY.exec(text);
    if (!match) return "";
    var day = parseInt(match[1], 10), month = parseInt(match[2], 10), year = parseInt(match[3], 10);
    var probe = new Date(Date.UTC(year, month - 1, day));
    if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return "";
    return year + "-" + pad(month) + "-" + pad(day);
  }

  // The text with its day replaced by ``iso`` (2026-12-09) as 9.12.2026; what follows the
  // day (the time) stays. A field that takes a time gets a space to type it after.
  function withDay(text, iso, takesTime) {
    var parts = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(iso);
    if (!parts) return text;
    var day = parseInt(parts[3], 10) + "." + parseInt(parts[2], 10) + "." + parts[1];
    var rest = text.replace(/^\s*\S*/, "");
    if (!/\S/.test(rest)) rest = takesTime ? " " : "";
    return day + rest;
  }

  function pickerFor(button) {
    var field = document.getElementById(button.getAttribute("data-day-picker"));
    if (!field) return null;
    var picker = button.parentNode.querySelector("input.day-picker-input");
    if (picker) return { field: field, picker: picker };
    picker = document.createElement("input");
    picker.type = "date";
    picker.className = "day-picker-input";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    picker.setAttribute("aria-label", button.textContent);
    picker.addEventListener("change", function () {
      if (!picker.value) return;
      field.value = withDay(field.value, picker.value, field.hasAttribute("data-takes-time"));
      field.dispatchEvent(new Event("input", { bubbles: true }));
      field.focus();
      var end = field.value.length;
      field.setSelectionRange(end, end);
    });
    button.parentNode.insertBefore(picker, button);
    return { field: field, picker: picker };
  }

  function open(button) {
    var found = pickerFor(button);
    if (!found) return;
    found.picker.value = machineDay(found.field.value);
    try {
      found.picker.showPicker();
    } catch (error) {
      found.field.focus();  // no picker here: the field is typed as its hint says
    }
  }

  function enhance(root) {
    if (typeof HTMLInputElement.prototype.showPicker !== "function") return;
    root.querySelectorAll("[data-day-picker]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-day-picker]");
    if (button) open(button);
  });
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
