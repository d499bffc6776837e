// Searchable pickers: a <select data-picker="URL"> becomes a text box that asks URL?q=… as one types and lists
// what comes back ({"results": [{"id", "text", "hint", "group"}], "more": bool, "more_text": "…"}). The <select>
// stays in the form, hidden, and holds the choice, so the form posts as before; a multiple select shows each
// choice as a removable tag. Without JavaScript the plain <select> is what people use.
(function () {
  'use strict';
  var DELAY = 180;
  var count = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function optionFor(select, id) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === String(id)) { return select.options[i]; }
    }
    return null;
  }

  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = '1';
    var multiple = select.multiple;
    var id = select.id || ('picker-' + (++count));
    var box = el('div', 'picker' + (multiple ? ' picker-multiple' : ''));
    var chosen = el('ul', 'picker-chosen');
    var input = el('input', 'picker-input');
    var list = el('ul', 'picker-list');
    var status = el('span', 'picker-status');
    input.type = 'text';
    input.id = id + '-search';
    input.autocomplete = 'off';
    input.placeholder = select.dataset.pickerPlaceholder || '';
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id + '-list');
    if (select.getAttribute('aria-invalid')) { input.setAttribute('aria-invalid', 'true'); }
    list.id = id + '-list';
    list.setAttribute('role', 'listbox');
    list.hidden = true;
    status.setAttribute('aria-live', 'polite');
    status.className = 'picker-status visually-hidden';
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    if (label) { label.htmlFor = input.id; input.setAttribute('aria-label', label.textContent.trim()); }
    select.hidden = true;
    select.tabIndex = -1;
    select.parentNode.insertBefore(box, select);
    if (multiple) { box.appendChild(chosen); }
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(select);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var asked = null;

    function selectedText() {
      var option = select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
      return option && option.value ? option.textContent : '';
    }

    function drawChosen() {
      if (!multiple) { input.value = selectedText(); return; }
      chosen.textContent = '';
      Array.prototype.forEach.call(select.selectedOptions, function (option) {
        var tag = el('li', 'tag', option.textContent + ' ');
        var remove = el('button', 'link picker-remove', '×');
        remove.type = 'button';
        remove.setAttribute('aria-label', (select.dataset.pickerRemove || '×') + ' ' + option.textContent);
        remove.addEventListener('click', function () {
          option.selected = false;
          select.dispatchEvent(new Event('change', { bubbles: true }));
          drawChosen();
          input.focus();
        });
        tag.appendChild(remove);
        chosen.appendChild(tag);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function highlight(index) {
      items.forEach(function (item, i) { item.node.setAttribute('aria-selected', i === index ? 'true' : 'false'); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute('aria-activedescendant', items[index].node.id);
        items[index].node.scrollIntoView({ block: 'nearest' });
      }
    }

    function pick(result) {
      var option = optionFor(select, result.id);
      if (!option) {
        option = new Option(result.text, result.id);
        select.appendChild(option);
      }
      if (multiple) {
        option.selected = true;
        input.value = '';
      } else {
        select.value = String(result.id);
      }
      select.dispatchEvent(new Event('change', { bubbles: true }));
      drawChosen();
      close();
    }

    function draw(data) {
      list.textContent = '';
      items = [];
      var group = null;
      (data.results || []).forEach(function (result, i) {
        if (result.group && result.group !== group) {
          group = result.group;
          list.appendChild(el('li', 'picker-group', group)).setAttribute('role', 'presentation');
        }
        var node = el('li', 'picker-option', result.text);
        node.id = list.id + '-' + i;
        node.setAttribute('role', 'option');
        node.dataset.value = result.id;
        if (result.hint) { node.appendChild(el('small', 'muted', ' ' + result.hint)); }
        if (multiple && optionFor(select, result.id) && optionFor(select, result.id).selected) {
          node.classList.add('picked');
        }
        node.addEventListener('mousedown', function (event) { event.preventDefault(); pick(result); });
        list.appendChild(node);
        items.push({ node: node, result: result });
      });
      if (!items.length) {
        list.appendChild(el('li', 'picker-empty muted', select.dataset.pickerEmpty || '—'));
      }
      if (data.more && data.more_text) {
        list.appendChild(el('li', 'picker-more muted', data.more_text));
      }
      status.textContent = items.length + (data.more ? '+' : '');
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      highlight(items.length ? 0 : -1);
    }

    function search() {
      var text = input.value.trim();
      if (!multiple && text === selectedText()) { text = ''; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var url = select.dataset.picker;
      url += (url.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(text);
      asked = url;
      fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin',
                   signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (asked === url && document.activeElement === input) { draw(data); } })
        .catch(function () { /* a newer search replaced this one */ });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    }

    input.addEventListener('input', function () {
      if (!multiple && input.value.trim() === '' && select.value) {
        select.value = '';
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }
      later();
    });
    input.addEventListener('focus', function () { if (!multiple) { input.select(); } later(); });
    input.addEventListener('blur', function () {
      clearTimeout(timer);
      close();
      if (!multiple) { input.value = selectedText(); } else { input.value = ''; }
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        var step = event.key === 'ArrowDown' ? 1 : -1;
        highlight(Math.max(0, Math.min(items.length - 1, active + step)));
      } else if (event.key === 'Enter') {
        if (!list.hidden && active >= 0 && items[active]) {
          event.preventDefault();
          pick(items[active].result);
        }
      } else if (event.key === 'Escape') {
        close();
      }
    });
    drawChosen();
  }

  function enhanceAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll('select[data-picker]'), enhance);
  }

  document.addEventListener('DOMContentLoaded', function () { enhanceAll(document); });
  document.addEventListener('htmx:load', function (event) { enhanceAll(event.target); });
})();
