/* Baikal tour bureau: small progressive enhancements, no dependencies. */
(function () {
    "use strict";

    var root = document.documentElement;
    root.classList.remove("no-js");
    root.classList.add("js");

    // Mobile navigation: .nav-toggle opens and closes #site-nav on narrow screens.
    function initNavToggle() {
        var toggle = document.querySelector(".nav-toggle");
        if (!toggle) { return; }
        var nav = document.getElementById(toggle.getAttribute("aria-controls") || "site-nav");
        if (!nav) { return; }

        function setOpen(open, returnFocus) {
            toggle.setAttribute("aria-expanded", open ? "true" : "false");
            nav.classList.toggle("is-open", open);
            root.classList.toggle("nav-open", open);
            if (!open && returnFocus) { toggle.focus(); }
        }

        toggle.addEventListener("click", function () {
            setOpen(toggle.getAttribute("aria-expanded") !== "true");
        });

        // Escape closes the menu and returns focus to the button.
        document.addEventListener("keydown", function (event) {
            if ((event.key === "Escape" || event.key === "Esc") && toggle.getAttribute("aria-expanded") === "true") {
                setOpen(false, true);
            }
        });

        // A click outside the header closes the menu.
        document.addEventListener("click", function (event) {
            if (toggle.getAttribute("aria-expanded") !== "true") { return; }
            var header = toggle.closest(".site-header") || toggle.parentNode;
            if (!header.contains(event.target)) { setOpen(false); }
        });

        // Growing to the desktop layout resets the menu state.
        if (window.matchMedia) {
            var desktop = window.matchMedia("(min-width: 64em)");
            var onChange = function (mq) { if (mq.matches) { setOpen(false); } };
            if (desktop.addEventListener) { desktop.addEventListener("change", onChange); }
            else if (desktop.addListener) { desktop.addListener(onChange); }
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", initNavToggle);
    } else {
        initNavToggle();
    }
}());
