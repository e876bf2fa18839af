/* The booking form's running total: people per ticket type times the fares printed in the page
   (each quantity input's data-price). Only a preview: the basket's total, computed by the
   server, is the one charged. Without JavaScript the total stays hidden and the form works. */
(function () {
    "use strict";

    function init() {
        var total = document.getElementById("booking-total");
        var form = total && total.closest("form");
        if (!form) { return; }
        var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-price]"));
        var amount = total.querySelector("output");
        // "0 ₽" as the server formats money in this language: the digits are replaced.
        var zero = total.getAttribute("data-zero") || "0";
        var number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
            maximumFractionDigits: 2
        });

        function update() {
            var sum = 0;
            var people = 0;
            inputs.forEach(function (input) {
                var count = Number(input.value);
                var price = Number(input.getAttribute("data-price"));
                if (!Number.isInteger(count) || count < 0 || !isFinite(price)) { return; }
                people += count;
                sum += count * price;
            });
            total.hidden = people === 0;
            amount.textContent = zero.replace("0", number.format(Math.round(sum * 100) / 100));
        }

        form.addEventListener("input", update);
        form.addEventListener("change", update);
        update();
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
