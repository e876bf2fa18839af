/* The card form of the payment page.
 *
 * Stripe.js turns the card into a token in the browser (card details never reach our
 * server); our server authorises the amount with a PaymentIntent. If the bank wants 3-D
 * Secure, Stripe.js shows it (confirmCardPayment). Then the browser goes to the return URL,
 * where the server places the order and takes the money, or explains why not.
 */
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#card-element");
  var button = document.getElementById("pay-button");
  var errors = document.getElementById("card-errors");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function showError(message) {
    errors.textContent = message;
    button.disabled = false;
    form.classList.remove("is-busy");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    form.classList.add("is-busy");
    errors.textContent = "";
    var made;
    try {
      made = await stripe.createToken(card);
    } catch (err) {
      return showError(form.dataset.messageNetwork);
    }
    if (!made || made.error || !made.token) {
      return showError((made && made.error && made.error.message) || form.dataset.messageCard);
    }
    var response;
    var answer;
    try {
      response = await fetch(form.dataset.startUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ token: made.token.id, card: made.token.card.id }),
      });
      answer = await response.json();
    } catch (err) {
      if (response && response.redirected) {
        window.location.assign(response.url);
        return;
      }
      return showError(form.dataset.messageNetwork);
    }
    if (answer.status === "requires_action") {
      var confirmed = await stripe.confirmCardPayment(answer.client_secret);
      if (confirmed && confirmed.error) {
        errors.textContent = form.dataset.messageAuth;
      }
      window.location.assign(answer.return_url);
      return;
    }
    if (answer.status === "authorized") {
      window.location.assign(answer.return_url);
      return;
    }
    showError(answer.message || form.dataset.messageCard);
  });
})();
