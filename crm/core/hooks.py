"""Things a feature announces and a feature above it reacts to: leads and packs announce (a lead assigned, a
follow-up with @mentions, a lead about to return to the pool, a share link opened, a pack build finished) and
notifications listen, so the lower feature never imports the higher one. Listeners run in the announcer's
transaction, in the order they were added.

Likewise a question a lower feature asks and a higher one answers (`answer`, `ask`): the account forms of auth ask
for the firm a firm account names, and firms answers."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

_listeners: dict[str, list[Callable[..., Any]]] = {}


def listen(name: str, listener: Callable[..., Any]) -> None:
    """Call `listener` with the announcement's arguments each time `name` is announced (added once)."""
    found = _listeners.setdefault(name, [])
    if listener not in found:
        found.append(listener)


def announce(name: str, *args: Any, **kwargs: Any) -> None:
    """Tell every listener of `name`; nothing happens when none listens."""
    for listener in _listeners.get(name, ()):
        listener(*args, **kwargs)


_answers: dict[str, Callable[..., Any]] = {}


def answer(name: str, answerer: Callable[..., Any]) -> None:
    """Let `answerer` answer the question `name` (one answerer per question; the later one replaces it)."""
    _answers[name] = answerer


def ask(name: str, *args: Any, **kwargs: Any) -> Any:
    """The answer to `name` with these arguments (LookupError when no feature answers it)."""
    if name not in _answers:
        raise LookupError(f'nothing answers {name!r}')
    return _answers[name](*args, **kwargs)
