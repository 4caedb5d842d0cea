// "Was this helpful?" in place: the form also works without JavaScript (post, then redirect back).
(function () {
  "use strict";
  var section = document.getElementById("feedback");
  if (!section || !window.fetch) return;
  var form = section.querySelector("form");
  var thanks = section.querySelector(".hc-feedback-thanks");
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button) return;
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("helpful", button.value);
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        form.querySelectorAll("button").forEach(function (other) {
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        });
        thanks.hidden = false;
      })
      .catch(function () {
        form.submit();
      });
  });
})();
