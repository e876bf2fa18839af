/* The SBP page: ask the shop every few seconds whether the bank has confirmed the payment,
 * then go to the outcome. Without script the "I have paid" button asks the same. */
(function () {
  "use strict";
  var form = document.getElementById("sbp-check");
  if (!form || !window.fetch) {
    return;
  }
  var status = document.getElementById("sbp-status");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var every = 3000;
  var giveUpAt = Date.now() + 30 * 60 * 1000; // the bank's link expires within the hour
  var busy = false;
  var timer = null;

  async function check() {
    if (busy) {
      return;
    }
    busy = true;
    try {
      var response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
      var answer = await response.json();
      if (answer.done) {
        window.location.assign(answer.next || form.dataset.next);
        return;
      }
      status.textContent = form.dataset.messageWaiting;
    } catch (err) {
      status.textContent = form.dataset.messageLost;
    } finally {
      busy = false;
    }
    if (Date.now() < giveUpAt) {
      timer = window.setTimeout(check, every);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    check();
  });
  timer = window.setTimeout(check, every);
})();
