// Kanban drag and drop: a drop posts the stage change to the same endpoint as the stage form.
(function () {
  'use strict';
  function init() {
    var board = document.querySelector('.board');
    if (!board) { return; }
    var token = board.getAttribute('data-csrf');
    var message = document.getElementById('board-message');
    var dragged = null;
    var pointerDrag = null;  // a card carried by its grip (touch, pen or mouse): pointer events, not HTML drag
    board.addEventListener('dragstart', function (e) {
      if (pointerDrag) { e.preventDefault(); return; }
      dragged = e.target.closest('.kcard');
      if (dragged) { e.dataTransfer.setData('text/plain', dragged.getAttribute('data-lead')); }
    });
    board.querySelectorAll('.column').forEach(function (column) {
      column.addEventListener('dragover', function (e) { e.preventDefault(); column.classList.add('over'); });
      column.addEventListener('dragleave', function () { column.classList.remove('over'); });
      column.addEventListener('drop', function (e) {
        e.preventDefault();
        column.classList.remove('over');
        if (!dragged || dragged.closest('.column') === column) { return; }
        var card = dragged;
        move(card, column, {});
      });
    });
    // Touch: press the card's grip and move the finger; the column under the finger takes the card on release.
    board.addEventListener('pointerdown', function (e) {
      var grip = e.target.closest('.kgrip');
      if (!grip || (e.pointerType === 'mouse' && e.button !== 0)) { return; }
      e.preventDefault();
      var card = grip.closest('.kcard');
      var ghost = card.cloneNode(true);
      ghost.classList.add('kghost');
      ghost.removeAttribute('data-lead');
      ghost.style.width = card.offsetWidth + 'px';
      document.body.appendChild(ghost);
      pointerDrag = { card: card, ghost: ghost, over: null, id: e.pointerId };
      try { grip.setPointerCapture(e.pointerId); } catch (err) { /* not capturable: moves still arrive */ }
      place(e);
      function place(ev) {
        ghost.style.left = (ev.clientX - 20) + 'px';
        ghost.style.top = (ev.clientY - 12) + 'px';
        var under = document.elementFromPoint(ev.clientX, ev.clientY);
        var column = under ? under.closest('.board .column') : null;
        if (pointerDrag.over && pointerDrag.over !== column) { pointerDrag.over.classList.remove('over'); }
        if (column) { column.classList.add('over'); }
        pointerDrag.over = column;
        var box = board.getBoundingClientRect();  // near an edge of the board, scroll it along
        if (ev.clientX > box.right - 30) { board.scrollLeft += 20; } else if (ev.clientX < box.left + 30) { board.scrollLeft -= 20; }
      }
      function end(ev, drop) {
        grip.removeEventListener('pointermove', onMove);
        grip.removeEventListener('pointerup', onUp);
        grip.removeEventListener('pointercancel', onCancel);
        var target = pointerDrag.over;
        if (target) { target.classList.remove('over'); }
        ghost.remove();
        pointerDrag = null;
        if (drop && target && target !== card.closest('.column')) { move(card, target, {}); }
      }
      function onMove(ev) { if (ev.pointerId === pointerDrag.id) { ev.preventDefault(); place(ev); } }
      function onUp(ev) { place(ev); end(ev, true); }
      function onCancel(ev) { end(ev, false); }
      grip.addEventListener('pointermove', onMove);
      grip.addEventListener('pointerup', onUp);
      grip.addEventListener('pointercancel', onCancel);
    });
    // Post the move; a skip asks for confirmation and a move back from 签约 or later for a reason, then posts again.
    function move(card, column, extra) {
      var body = new FormData();
      body.append('csrf_token', token);
      body.append('to_stage', column.getAttribute('data-stage'));
      Object.keys(extra).forEach(function (key) { body.append(key, extra[key]); });
      fetch(card.getAttribute('data-url'), {
        method: 'POST', body: body, credentials: 'same-origin',
        headers: { 'X-Requested-With': 'fetch', 'X-CSRFToken': token }
      }).then(function (r) { return r.json(); }).then(function (result) {
        if (result.ok) {
          var from = card.closest('.column');
          column.querySelector('ul').prepend(card);
          [from, column].forEach(function (col) {
            var count = col.querySelector('[data-count]');
            count.textContent = String(Number(count.textContent) + (col === column ? 1 : -1));
          });
          message.hidden = true;
        } else if (result.needs === 'confirm_skip' && !extra.confirm_skip) {
          if (window.confirm(result.question)) {
            move(card, column, Object.assign({}, extra, { confirm_skip: 'y' }));
          }
        } else if (result.needs === 'reason' && !extra.note) {
          var reason = window.prompt(result.message);
          if (reason && reason.trim()) { move(card, column, Object.assign({}, extra, { note: reason.trim() })); }
        } else {
          message.textContent = result.message;
          message.hidden = false;
        }
      });
    }
  }
  document.addEventListener('DOMContentLoaded', init);
})();
