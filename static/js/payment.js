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
  if (!form) {
    return;
  }
  var button = document.getElementById("pay-button");
  var errors = document.getElementById("card-errors");

  function showError(message) {
    errors.textContent = message;
    button.disabled = false;
    form.classList.remove("is-busy");
  }

  if (typeof Stripe === "undefined") {
    // Stripe.js did not load (a bad connection, a blocker): say so, and let "Pay" load the
    // page again rather than submit the form, which has nowhere to send a card.
    showError(form.dataset.messageNetwork);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.location.reload();
    });
    return;
  }

  // Stripe.js's messages for card and validation errors are meant for the customer (and in
  // their language); other errors are for developers, so the customer gets ours.
  function tokenError(error) {
    var forCustomer = error && (error.type === "card_error" || error.type === "validation_error");
    if (forCustomer && error.message) {
      return error.message;
    }
    if (error && error.type === "invalid_request_error") {
      return form.dataset.messageCard;
    }
    return form.dataset.messageNetwork;
  }

  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount("#card-element");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (button.disabled) {
      return;
    }
    var consent = document.getElementById("consent");
    if (consent && !consent.checked) {
      errors.textContent = form.dataset.messageConsent;
      consent.focus();
      return;
    }
    button.disabled = true;
    form.classList.add("is-busy");
    errors.textContent = "";
    var made;
    try {
      made = await stripe.createToken(card);
    } catch (err) {
      // Stripe.js reports problems in its answer; it throws only when the card element is
      // not usable (localstripe's does when nothing was typed in).
      return showError(form.dataset.messageCard);
    }
    if (!made || made.error || !made.token) {
      return showError(made && made.error ? tokenError(made.error) : form.dataset.messageCard);
    }
    var response;
    var answer;
    try {
      response = await fetch(form.dataset.startUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ token: made.token.id, card: made.token.card.id, consent: true }),
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
