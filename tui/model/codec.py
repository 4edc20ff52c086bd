"""The one codec between the typed model and plain data (dicts, lists, str, int, float, bool,
None): the cache stores plain data, and the JSON contract is plain data, so both go through here.

Fields are written under their own name in declaration order (the contract's key order), except
where field metadata says otherwise:

- ``KEY("from")``: the field's key in plain data (for keys that are Python keywords);
- ``OMIT``: the key is left out while the field holds its default (optional keys, ``error?``);
- ``FLATTEN(choose)``: a nested dataclass whose keys are written in place of the field;
  ``choose(plain)`` names the class to read back (None: the field is None).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Callable, TypeVar

T = TypeVar("T")

OMIT: dict[str, Any] = {"omit": True}


def KEY(name: str, omit: bool = False) -> dict[str, Any]:
    """Field metadata: store the field under ``name``."""
    return {"key": name, "omit": omit}


def FLATTEN(choose: Callable[[dict[str, Any]], type | None]) -> dict[str, Any]:
    """Field metadata: write the nested dataclass's keys in place; ``choose`` reads it back."""
    return {"flatten": choose}


def to_plain(value: Any) -> Any:
    """``value`` (a model object, or lists/dicts/tuples of them) as plain data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for plan in _plans(type(value)):
            item = getattr(value, plan.attr)
            if plan.flatten is not None:
                if item is not None:
                    out.update(to_plain(item))
            elif not (plan.omit and item == plan.default):
                out[plan.key] = to_plain(item)
        return out
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


def from_plain(cls: type[T], data: Any) -> T:
    """A ``cls`` (a model dataclass) read back from :func:`to_plain`'s output."""
    decode = _decoder(cls)
    return typing.cast(T, decode(data))


# -------------------------------------------------------------------------------- internals
class _Plan(typing.NamedTuple):
    attr: str
    key: str
    omit: bool
    default: Any
    flatten: Callable[[dict[str, Any]], type | None] | None
    decode: Callable[[Any], Any]


_PLANS: dict[type, list[_Plan]] = {}
_MISSING = dataclasses.MISSING


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not _MISSING:
        return f.default
    if f.default_factory is not _MISSING:
        return f.default_factory()
    return _MISSING


def _plans(cls: type) -> list[_Plan]:
    plans = _PLANS.get(cls)
    if plans is None:
        hints = typing.get_type_hints(cls)
        plans = []
        for f in dataclasses.fields(cls):
            meta = f.metadata
            plans.append(_Plan(f.name, meta.get("key", f.name), bool(meta.get("omit")), _default(f),
                               meta.get("flatten"), _decoder(hints[f.name])))
        _PLANS[cls] = plans
    return plans


def _identity(value: Any) -> Any:
    return value


def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A function turning plain data into a value of type ``tp``."""
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda data: _read_dataclass(tp, data)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            one = _decoder(inner[0])
            if one is _identity:
                return _identity
            return lambda data: None if data is None else one(data)
        return _identity
    if origin is list:
        item = _decoder(args[0]) if args else _identity
        return _identity if item is _identity else (lambda data: [item(v) for v in data])
    if origin is tuple:
        item = _decoder(args[0]) if args else _identity
        return lambda data: tuple(map(item, data))
    if origin is dict:
        value = _decoder(args[1]) if len(args) == 2 else _identity
        if value is _identity:
            return _identity
        return lambda data: {k: value(v) for k, v in data.items()}
    return _identity


def _read_dataclass(cls: type, data: dict[str, Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for plan in _plans(cls):
        if plan.flatten is not None:
            chosen = plan.flatten(data)
            kwargs[plan.attr] = None if chosen is None else _read_dataclass(chosen, data)
        elif plan.key in data:
            kwargs[plan.attr] = plan.decode(data[plan.key])
    return cls(**kwargs)
