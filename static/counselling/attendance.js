// The attendance form shows only the fields that apply: the absence reason for a valid absence, consent
// and risk information when the person attended, and the needs assessment only with consent. The server
// refuses anything that does not apply, whatever this shows.
(function () {
  "use strict";
  const form = document.querySelector("form[data-attendance]");
  if (!form) return;
  const checked = (name) => (form.querySelector(`[name=${name}]:checked`) || {}).value;

  function update() {
    const outcome = checked("outcome");
    for (const part of form.querySelectorAll("[data-when]")) part.hidden = part.dataset.when !== outcome;
    const assessment = form.querySelector("[data-when-consent]");
    assessment.hidden = checked("consent") !== "yes";
  }

  form.addEventListener("change", update);
  update();
})();
