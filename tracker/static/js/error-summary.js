// A refused form lands on its error summary: the form's action ends with #error-summary, so
// the browser scrolls there; focusing it also has a screen reader read it out first.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
