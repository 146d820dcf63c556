// The referral intake form: rows added and removed in place, the person looked up by national ID,
// guardians shown for a minor, and the seizure classified as it is typed. The server checks
// everything again when the form is sent; this only helps while typing.
(function () {
  "use strict";

  const form = document.querySelector("form[data-intake]");
  if (!form) return;
  const text = form.dataset;
  const csrfToken = form.querySelector("[name=csrfmiddlewaretoken]").value;
  const serviceForMunicipality = JSON.parse(document.getElementById("service-for-municipality").textContent);
  const substanceUnits = JSON.parse(document.getElementById("substance-units").textContent);
  const field = (name) => form.elements.namedItem(name);

  function debounce(fn, ms) {
    let timer;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  async function post(url, data) {
    const response = await fetch(url, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(response.status);
    return response.json();
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  // Rows: a removed row leaves a gap in the numbering; the server skips untouched rows.
  for (const button of form.querySelectorAll("[data-formset-add]")) {
    const prefix = button.dataset.formsetAdd;
    const rows = document.getElementById(prefix + "-rows");
    const total = field(prefix + "-TOTAL_FORMS");
    const template = document.getElementById(prefix + "-empty");
    button.addEventListener("click", () => {
      const index = Number(total.value);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", String(index)));
      total.value = String(index + 1);
      rows.lastElementChild.querySelector("input, select").focus();
      classifySoon();
    });
    rows.addEventListener("click", (event) => {
      const remove = event.target.closest("[data-formset-remove]");
      if (!remove) return;
      remove.closest("[data-formset-row]").remove();
      classifySoon();
    });
  }

  // A substance brings its own unit, which the counsellor can still change (e.g. kg for g).
  document.getElementById("seized-rows").addEventListener("change", (event) => {
    const select = event.target;
    if (!select.name || !select.name.endsWith("-substance")) return;
    const unit = field(select.name.replace(/-substance$/, "-unit"));
    if (unit && substanceUnits[select.value]) unit.value = substanceUnits[select.value];
  });

  // Guardians: shown when the person is under 18 on the incident date, or when rows are already filled.
  const guardiansSection = document.getElementById("guardians-section");
  const guardiansNote = document.getElementById("guardians-note");
  const guardiansNoteText = guardiansNote.textContent;

  function ageOn(born, day) {
    const [by, bm, bd] = born.split("-").map(Number);
    const [dy, dm, dd] = day.split("-").map(Number);
    return dy - by - (dm < bm || (dm === bm && dd < bd) ? 1 : 0);
  }

  function guardiansFilled() {
    return Array.from(guardiansSection.querySelectorAll("input")).some(
      (input) => input.type !== "hidden" && input.value.trim() !== "",
    );
  }

  function showGuardians() {
    const born = field("date_of_birth").value;
    const now = new Date(); // today on the user's own clock, not in UTC
    const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}-${String(now.getDate()).padStart(2, "0")}`;
    const day = field("incident_date").value || today;
    const minor = Boolean(born) && ageOn(born, day) < 18;
    const hasErrors = guardiansSection.querySelector(".alert-danger, .is-invalid") !== null;
    guardiansSection.hidden = !(minor || hasErrors || guardiansFilled());
    guardiansNote.textContent = minor ? text.textMinor : guardiansNoteText;
    guardiansNote.classList.toggle("text-body-secondary", !minor);
    guardiansNote.classList.toggle("fw-semibold", minor);
  }

  // The person: looked up once the national ID has 11 digits.
  const lookupStatus = document.getElementById("person-lookup");
  const nationalId = field("national_id");
  // A number the server has just refused already has its message beside the field.
  let lastLookup = nationalId.classList.contains("is-invalid") ? nationalId.value.replace(/\D/g, "") : "";

  function fillEmpty(person) {
    for (const [name, value] of Object.entries(person)) {
      const input = field(name);
      if (input && !input.value && value !== null && value !== "") input.value = value;
    }
    // The language always has a value; take the person's own.
    if (person.preferred_language) field("preferred_language").value = person.preferred_language;
    suggestService();
  }

  async function lookUp() {
    const digits = nationalId.value.replace(/\D/g, "");
    if (digits.length !== 11 || digits === lastLookup) return;
    lastLookup = digits;
    const data = new FormData();
    data.append("national_id", digits);
    let answer;
    try {
      answer = await post(text.lookupUrl, data);
    } catch {
      return;
    }
    lookupStatus.replaceChildren();
    nationalId.classList.toggle("is-invalid", !answer.valid);
    if (!answer.valid) {
      lookupStatus.append(element("div", "text-danger", answer.message));
      return;
    }
    if (answer.date_of_birth) field("date_of_birth").value = answer.date_of_birth;
    if (answer.earlier.length) {
      if (answer.person) fillEmpty(answer.person);
      const box = element("div", "alert alert-info py-2 mb-0");
      box.append(element("span", "", answer.person ? text.textKnownPerson : text.textKnownNotYours));
      const list = element("ul", "mb-0");
      for (const earlier of answer.earlier) {
        const item = element("li");
        const link = element("a", "", earlier.reference);
        link.href = earlier.url;
        link.target = "_blank";
        item.append(link, ` (${earlier.incident_date}, ${earlier.status})`);
        list.append(item);
      }
      box.append(list);
      lookupStatus.append(box);
    } else {
      lookupStatus.append(element("div", "text-body-secondary", text.textNewPerson));
    }
    showGuardians();
  }

  // The service: suggested from the municipality until the counsellor picks one.
  const service = field("service");
  let serviceChosen = false;
  service.addEventListener("change", () => (serviceChosen = true));

  function suggestService() {
    // The box holds "0301 Oslo", "0301" or "Oslo": the number when it starts with one, else the name.
    const typed = field("municipality").value.trim().toLowerCase();
    const number = typed.match(/^\d{4}\b/);
    const suggested = serviceForMunicipality[number ? number[0] : typed];
    if (!serviceChosen && suggested) service.value = String(suggested);
  }

  // The classification: asked for as rows are typed, shown with the route it points to.
  const classification = document.getElementById("classification");
  const seizureUnknown = field("seizure_unknown");
  const seizedList = document.getElementById("seized-list");
  const routeInputs = Array.from(form.querySelectorAll("[name=route]"));
  let routeChosen = routeInputs.some((input) => input.checked);
  for (const input of routeInputs) input.addEventListener("change", () => (routeChosen = true));
  const badgeFor = { exempt: "text-bg-success", waiver: "text-bg-warning", not_eligible: "text-bg-danger" };
  let classifyRequest = 0;

  function suggestRoute(route) {
    if (routeChosen || !route) return;
    for (const input of routeInputs) input.checked = input.value === route;
  }

  async function classify() {
    seizedList.hidden = seizureUnknown.checked;
    if (seizureUnknown.checked) {
      classification.replaceChildren(element("div", "alert alert-secondary py-2 mb-0", text.textUnknownSeizure));
      suggestRoute("condition");
      return;
    }
    const data = new FormData();
    for (const [name, value] of new FormData(form)) {
      if (name.startsWith("seized-") || name === "incident_date") data.append(name, value);
    }
    const request = ++classifyRequest;
    let answer;
    try {
      answer = await post(text.classifyUrl, data);
    } catch {
      return;
    }
    if (request !== classifyRequest) return; // a newer answer is on its way
    classification.replaceChildren();
    if (!answer.outcome) {
      const message = answer.errors.length ? answer.errors.join(" ") : text.textNoItems;
      classification.append(element("div", answer.errors.length ? "text-danger" : "text-body-secondary", message));
      return;
    }
    const box = element("div", "border rounded p-2");
    const heading = element("div", "mb-1");
    heading.append(element("span", "badge fs-6 " + badgeFor[answer.outcome], answer.label));
    if (answer.regulation) heading.append(" ", element("span", "text-body-secondary small", answer.regulation));
    if (answer.regulation_status) {
      const status = answer.regulation_is_proposal ? "badge text-bg-secondary" : "badge text-bg-light border";
      heading.append(" ", element("span", status, answer.regulation_status));
    }
    box.append(heading);
    const reasons = element("ul", "mb-1");
    for (const reason of answer.reasons) reasons.append(element("li", "", reason));
    box.append(reasons);
    if (answer.suggested_route) {
      box.append(element("div", "fw-semibold", `${text.textSuggestedRoute} ${answer.suggested_route_label}`));
    } else {
      box.append(element("div", "text-danger-emphasis", text.textNoRoute));
    }
    classification.append(box);
    suggestRoute(answer.suggested_route);
  }

  const classifySoon = debounce(classify, 250);

  nationalId.addEventListener("input", debounce(lookUp, 250));
  field("date_of_birth").addEventListener("change", showGuardians);
  field("incident_date").addEventListener("change", () => {
    showGuardians();
    classifySoon();
  });
  field("municipality").addEventListener("change", suggestService);
  field("municipality").addEventListener("input", suggestService); // a suggestion picked from the list
  seizureUnknown.addEventListener("change", classify);
  seizedList.addEventListener("input", classifySoon);
  seizedList.addEventListener("change", classifySoon);

  showGuardians();
  classify();
  lookUp();
})();
