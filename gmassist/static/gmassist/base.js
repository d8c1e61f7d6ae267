// Behaviour every page may use, kept out of the templates (the Content-Security-Policy allows
// no inline script or handler): a <select data-autosubmit> submits its form when changed.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.requestSubmit();
    }
  });
})();
