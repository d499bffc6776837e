// Behaviour shared by every page. No inline scripts anywhere: the CSP forbids them.
(function () {
  'use strict';
  // Buttons with data-confirm ask before submitting their form.
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-confirm]');
    if (button && !window.confirm(button.getAttribute('data-confirm'))) {
      event.preventDefault();
    }
  });
  // Keep the user's place in a form that failed validation.
  document.addEventListener('DOMContentLoaded', function () {
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });
})();
// A "tick all" box ticks every box of its name that belongs to the same form.
(function () {
  'use strict';
  document.addEventListener('change', function (event) {
    var all = event.target.closest('[data-check-all]');
    if (!all) { return; }
    var name = all.getAttribute('data-check-all');
    var form = all.getAttribute('form');
    document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
      if (!form || box.getAttribute('form') === form) { box.checked = all.checked; }
    });
  });
})();
// On a phone the navigation is folded behind the menu button.
(function () {
  'use strict';
  document.addEventListener('click', function (event) {
    var toggle = event.target.closest('.nav-toggle');
    if (!toggle) { return; }
    var nav = toggle.closest('.sidebar');
    var open = !nav.classList.contains('open');
    nav.classList.toggle('open', open);
    toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
})();
// Amount boxes (data-amount) show thousands separators once left; the value is not rewritten while the box has the
// focus (that would drop a selection, and typing would add to the old number instead of replacing it). The server
// accepts digits with or without separators.
(function () {
  'use strict';
  function plain(value) { return value.replace(/[,，\s]/g, ''); }
  function grouped(value) {
    var text = plain(value);
    if (!/^-?\d+(\.\d+)?$/.test(text)) { return value; }
    var parts = text.split('.');
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.join('.');
  }
  document.addEventListener('focusout', function (event) {
    if (event.target.matches && event.target.matches('input[data-amount]')) { event.target.value = grouped(event.target.value); }
  });
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('input[data-amount]').forEach(function (box) { box.value = grouped(box.value); });
  });
})();
