// Kanban drag and drop: a drop posts the stage change to the same endpoint as the stage form.
(function () {
  'use strict';
  function init() {
    var board = document.querySelector('.board');
    if (!board) { return; }
    var token = board.getAttribute('data-csrf');
    var message = document.getElementById('board-message');
    var dragged = null;
    board.addEventListener('dragstart', function (e) {
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
