// tariffsim web app: the little that needs script. Every page also works without it.
"use strict";

// "Add a change" / "Add an agreement": copy the last row with the next number and empty values.
function addRow(tableId) {
  const body = document.querySelector(`#${tableId} tbody`);
  const last = body.querySelector("tr.row:last-child");
  const next = body.querySelectorAll("tr.row").length;
  const copy = last.cloneNode(true);
  copy.querySelectorAll("input, select").forEach((field) => {
    field.name = field.name.replace(/-\d+-/, `-${next}-`);
    if (field.tagName === "INPUT") field.value = "";
  });
  body.appendChild(copy);
}

// A run being solved: ask for its state every quarter second and open the result when it is done.
function followJob(box) {
  const poll = async () => {
    const response = await fetch(box.dataset.status, {headers: {"Accept": "application/json"}});
    if (!response.ok) return;
    const status = await response.json();
    document.getElementById("job-state").textContent = status.state;
    document.getElementById("job-stage").textContent = status.stage;
    document.getElementById("job-elapsed").textContent = status.elapsed_seconds.toFixed(1);
    if (status.state === "queued" || status.state === "running") {
      setTimeout(poll, 250);
    } else {
      window.location.reload();
    }
  };
  setTimeout(poll, 150);
}

// The year field offers the years of the chosen world (from the option's data-years).
function offerYears(select) {
  const list = document.getElementById("years");
  const years = select.selectedOptions[0].dataset.years;
  list.replaceChildren(...(years ? years.split(",") : []).map((year) => new Option(year)));
}

document.addEventListener("DOMContentLoaded", () => {
  const world = document.getElementById("world");
  if (world) {
    offerYears(world);
    world.addEventListener("change", () => offerYears(world));
  }
  document.querySelectorAll("button.add-row").forEach((button) =>
    button.addEventListener("click", () => addRow(button.dataset.table)));
  const job = document.getElementById("job");
  if (job && (job.dataset.state === "queued" || job.dataset.state === "running")) followJob(job);
});
