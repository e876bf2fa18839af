// The dashboard's image fields (templates/oscar/forms/widgets/image_input_widget.html): the
// upload button hides once a chosen image shows in the preview, and comes back if it fails.
(function () {
  "use strict";
  function button(img) {
    return document.getElementById(img.getAttribute("data-upload-button"));
  }
  document.addEventListener("load", function (event) {
    var img = event.target;
    if (img.tagName === "IMG" && img.hasAttribute("data-upload-button") && button(img)) {
      button(img).style.display = "none";
    }
  }, true);
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (img.tagName === "IMG" && img.hasAttribute("data-upload-button") && img.getAttribute("src")) {
      if (button(img)) { button(img).style.display = ""; }
      window.alert(img.getAttribute("data-unrecognised"));
    }
  }, true);
})();
