"""Job kinds by name. Apps register their job functions in their `tasks.py`."""

from collections.abc import Callable

_KINDS: dict[str, Callable] = {}


def job(kind: str) -> Callable[[Callable], Callable]:
    """Register `fn(ctx, **payload)` as the job `kind`."""

    def register(fn: Callable) -> Callable:
        _KINDS[kind] = fn
        return fn

    return register


def function_for(kind: str) -> Callable:
    try:
        return _KINDS[kind]
    except KeyError:
        raise LookupError(f"no job kind {kind!r} is registered") from None


def kinds() -> list[str]:
    return sorted(_KINDS)
