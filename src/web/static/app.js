/* sigreg serve: the one script. The pages work without it; it only helps. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  /* A confirmation field that must hold a given text enables its button. */
  document.querySelectorAll("[data-confirm-text]").forEach(function (input) {
    var button = document.getElementById(input.getAttribute("data-confirm-button"));
    if (!button) return;
    var want = input.getAttribute("data-confirm-text");
    var update = function () { button.disabled = input.value.trim().toUpperCase() !== want; };
    input.addEventListener("input", update);
    update();
  });
});

/* Registration forms (form_page.c): an item whose condition does not hold
 * is hidden and disabled at once, as the server does after "Uppdatera".
 * The conditions are the form's own (data-enable-when, FORMS.md), read the
 * way the library reads them: a condition on a disabled or unanswered item
 * is false (but "not" of it true). */
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.register-form");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-item]"));
  var enabled = {};

  var answer = function (el) {
    var id = el.getAttribute("data-item"), type = el.getAttribute("data-type");
    var inputs = Array.prototype.filter.call(form.elements, function (i) { return i.name === id; });
    if (type === "multichoice") {
      var chosen = inputs.filter(function (i) { return i.checked; })
                         .map(function (i) { return i.value; });
      return chosen.length ? chosen : undefined;
    }
    var value;
    inputs.forEach(function (i) {
      if ((i.type !== "radio" && i.type !== "checkbox") || i.checked) value = i.value;
    });
    if (value === undefined || value.trim() === "") return undefined;
    value = value.trim();
    if (type === "boolean") {
      if (/^(ja|j|yes|y|true)$/i.test(value)) return true;
      if (/^(nej|n|no|false)$/i.test(value)) return false;
      return undefined;
    }
    if (type === "integer" || type === "decimal" || type === "scale") {
      var n = Number(value.replace(/\s/g, "").replace(",", ".").replace("\u2212", "-"));
      return isNaN(n) ? undefined : n;
    }
    return value;
  };

  var holds = function (c, values) {
    if (c.all) return c.all.every(function (x) { return holds(x, values); });
    if (c.any) return c.any.some(function (x) { return holds(x, values); });
    if (c.not) return !holds(c.not, values);
    if (!enabled[c.item]) return false;
    var a = values[c.item];
    if (a === undefined) return false;
    switch (c.op) {
      case "answered": return true;
      case "includes": return Array.isArray(a) && a.indexOf(c.value) >= 0;
      case "=": return !Array.isArray(a) && a === c.value;
      case "!=": return Array.isArray(a) || a !== c.value;
      case "<": return a < c.value;
      case "<=": return a <= c.value;
      case ">": return a > c.value;
      case ">=": return a >= c.value;
    }
    return false;
  };

  var update = function () {
    var values = {};
    items.forEach(function (el) {
      var id = el.getAttribute("data-item"), text = el.getAttribute("data-enable-when");
      var on = true;
      if (text) {
        try { on = holds(JSON.parse(text), values); } catch (e) { on = true; }
      }
      enabled[id] = on;
      el.hidden = !on;
      el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
      if (on) values[id] = answer(el);
    });
  };
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
});
