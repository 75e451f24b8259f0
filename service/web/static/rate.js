/* The rating page's enhancements; the page works without them (plain form POST).
   - show only the chosen level's options (the others are hidden and disabled, so not sent),
     carrying already-ticked reasons over when the level changes;
   - a live character counter for the text;
   - one submission per form (a double tap does not post twice). */
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function setupLevels(form) {
    var groups = form.querySelectorAll('fieldset.options');
    var previous = null;

    function show() {
      var chosen = form.querySelector('input[name="level"]:checked');
      var level = chosen ? chosen.value : null;
      var ticked = {};
      if (previous) {
        previous.querySelectorAll('input:checked').forEach(function (box) { ticked[box.value] = true; });
      }
      groups.forEach(function (group) {
        var on = group.getAttribute('data-level') === level;
        if (on && previous && previous !== group) {
          group.querySelectorAll('input').forEach(function (box) { box.checked = !!ticked[box.value]; });
        }
        group.hidden = !on;
        group.disabled = !on;
        if (on) { previous = group; }
      });
    }

    form.querySelectorAll('input[name="level"]').forEach(function (radio) {
      radio.addEventListener('change', show);
    });
    show();
  }

  function setupCounter(area) {
    var out = area.parentNode.querySelector('[data-count]');
    if (!out) { return; }
    var update = function () { out.textContent = String(area.value.length); };
    area.addEventListener('input', update);
    update();
  }

  function setupOnce(form) {
    var sent = false;
    form.addEventListener('submit', function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
      form.classList.add('sending');
    });
    // Coming back through the browser's history shows the page as it was left: allow a new send.
    window.addEventListener('pageshow', function () { sent = false; form.classList.remove('sending'); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('form[data-rating-form]').forEach(setupLevels);
    document.querySelectorAll('textarea[data-counted]').forEach(setupCounter);
    document.querySelectorAll('form').forEach(setupOnce);
  });
}());
