// The attempt form says, before saving, whether the attempt will count and why (DOMAIN 8): on a
// change of method, "asks for a response" or outcome it asks the server, whose counting rules
// (outreach.rules) decide, and writes the answer into the form's live region. Without this
// script the form's "Check" button does the same by posting the form back.
(function () {
  "use strict";
  var form = document.querySelector("form.attempt-form[data-verdict-url]");
  if (!form) { return; }
  var region = document.getElementById("attempt-verdict");
  var pending = null;

  function value(name) {
    var input = form.querySelector("[data-verdict-input=" + name + "]");
    if (!input) { return ""; }
    if (input.type === "checkbox") { return input.checked ? "1" : "0"; }
    return input.value;
  }

  function show(data) {
    region.classList.remove("verdict-counts", "verdict-not-counted", "verdict-problem");
    region.textContent = "";
    var lead = document.createElement("strong");
    if (data.problem) {
      region.classList.add("verdict-problem");
      lead.textContent = "Check the outcome.";
    } else if (data.counts) {
      region.classList.add("verdict-counts");
      lead.textContent = "This attempt will count.";
    } else {
      region.classList.add("verdict-not-counted");
      lead.textContent = "This attempt will not count.";
    }
    region.appendChild(lead);
    region.appendChild(document.createTextNode(" " + data.reason));
  }

  function check() {
    var query = new URLSearchParams({
      method: value("method"), asks_for_response: value("asks_for_response"), outcome: value("outcome")
    });
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.verdictUrl + "?" + query.toString(), {
      headers: { "Accept": "application/json" }, credentials: "same-origin", signal: pending.signal
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data) { show(data); }
    }).catch(function (error) {
      if (error.name !== "AbortError") { region.textContent = ""; }
    });
  }

  form.querySelectorAll("[data-verdict-input]").forEach(function (input) {
    input.addEventListener("change", check);
  });
  check();
}());
