// Unit outlines on a floor plan: click the corners of a unit on the plan, then save (POST with the CSRF token).
// Points are sent in the image's own pixels, whatever size the plan is shown at.
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  function init() {
    var view = document.getElementById('plan-view');
    var svg = view && view.querySelector('svg.site-plan');
    var saveUrl = view && view.getAttribute('data-save-url');
    if (!svg || !saveUrl) { return; }
    var token = view.getAttribute('data-csrf');
    var width = Number(view.getAttribute('data-width'));
    var height = Number(view.getAttribute('data-height'));
    var unitSelect = document.getElementById('outline-unit');
    var start = document.getElementById('outline-start');
    var undo = document.getElementById('outline-undo');
    var clear = document.getElementById('outline-clear');
    var save = document.getElementById('outline-save');
    var message = document.getElementById('outline-message');
    var points = [];
    var drawing = false;
    var unitPx = Math.max(width, height) / 100;
    var draft = document.createElementNS(SVG_NS, 'polygon');
    draft.setAttribute('class', 'outline-draft');
    draft.setAttribute('fill', '#d4380d');
    draft.setAttribute('fill-opacity', '0.25');
    draft.setAttribute('stroke', '#d4380d');
    draft.setAttribute('stroke-width', String(unitPx * 0.5));
    var corners = document.createElementNS(SVG_NS, 'g');
    svg.appendChild(draft);
    svg.appendChild(corners);

    function say(text) { message.textContent = text; }
    function redraw() {
      draft.setAttribute('points', points.map(function (p) { return p[0] + ',' + p[1]; }).join(' '));
      while (corners.firstChild) { corners.removeChild(corners.firstChild); }
      points.forEach(function (p) {
        var dot = document.createElementNS(SVG_NS, 'circle');
        dot.setAttribute('cx', p[0]); dot.setAttribute('cy', p[1]); dot.setAttribute('r', String(unitPx * 0.8));
        dot.setAttribute('fill', '#d4380d');
        corners.appendChild(dot);
      });
      undo.disabled = clear.disabled = !points.length;
      save.disabled = points.length < 3;
      if (drawing) { say(message.getAttribute('data-drawing').replace('__N__', String(points.length))); }
    }
    start.addEventListener('click', function () {
      drawing = true;
      points = [];
      view.classList.add('drawing');
      redraw();
    });
    undo.addEventListener('click', function () { points.pop(); redraw(); });
    clear.addEventListener('click', function () { points = []; redraw(); });
    svg.addEventListener('click', function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var pt = svg.createSVGPoint();
      pt.x = event.clientX; pt.y = event.clientY;
      var local = pt.matrixTransform(svg.getScreenCTM().inverse());
      var x = Math.round(Math.min(Math.max(local.x, 0), width) * 10) / 10;
      var y = Math.round(Math.min(Math.max(local.y, 0), height) * 10) / 10;
      if (local.y > height) { return; }  // the legend band under the plan
      points.push([x, y]);
      redraw();
    });
    save.addEventListener('click', function () {
      if (points.length < 3) { say(message.getAttribute('data-too-few')); return; }
      var body = new FormData();
      body.append('csrf_token', token);
      body.append('unit_id', unitSelect.value);
      body.append('points', JSON.stringify(points));
      save.disabled = true;
      fetch(saveUrl, {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: { 'X-Requested-With': 'fetch', 'X-CSRFToken': token, 'Accept': 'application/json' }
      }).then(function (r) { return r.json(); }).then(function (result) {
        say(result.message || message.getAttribute('data-failed'));
        if (result.ok) { window.location.reload(); } else { save.disabled = false; }
      }).catch(function () { say(message.getAttribute('data-failed')); save.disabled = false; });
    });
  }
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', init); } else { init(); }
})();
