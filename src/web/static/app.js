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
