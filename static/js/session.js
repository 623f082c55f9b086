// Automatic logoff: warn before the idle timeout, let the user stay signed in, then leave.
// The server decides (SessionTimeoutMiddleware); this script only tells the person in time.
(function () {
  "use strict";
  var body = document.body;
  var timeout = Number(body.dataset.sessionTimeout);
  var warning = Number(body.dataset.sessionWarning);
  if (!timeout) { return; }
  var dialog = document.getElementById("session-warning");
  var countdown = document.getElementById("session-countdown");
  var stay = document.getElementById("session-stay");
  var warnTimer = null;
  var endTimer = null;
  var tick = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // End the session on the server too (the idle clock there may be a moment behind this one),
  // then land on the sign-in page with the reason.
  function leave() {
    var form = document.createElement("form");
    form.method = "post";
    form.action = body.dataset.logoutUrl;
    [["csrfmiddlewaretoken", csrfToken()], ["next", body.dataset.loginUrl + "?timeout=1"]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  function schedule(secondsLeft) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    clearInterval(tick);
    if (dialog.open) { dialog.close(); }
    warnTimer = setTimeout(warn, Math.max(0, secondsLeft - warning) * 1000);
    endTimer = setTimeout(checkAndLeave, secondsLeft * 1000);
  }

  function warn() {
    var ends = Date.now() + warning * 1000;
    function show() {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      countdown.textContent = minutes ? minutes + " min " + seconds + " s" : seconds + " seconds";
    }
    show();
    tick = setInterval(show, 1000);
    if (!dialog.open) { dialog.showModal(); }
    stay.focus();
  }

  // Another tab may have kept the session alive: ask before leaving.
  function checkAndLeave() {
    fetch(body.dataset.sessionStatusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.authenticated && status.seconds_left > 1) { schedule(status.seconds_left); } else { leave(); }
      })
      .catch(leave);
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.sessionKeepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    })
      .then(function (response) { return response.json(); })
      .then(function (status) {
        if (status.authenticated) { schedule(status.seconds_left); } else { leave(); }
      })
      .catch(leave);
  });

  schedule(timeout);
})();
