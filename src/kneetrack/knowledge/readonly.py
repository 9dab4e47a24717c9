"""Read-only data from the packaged YAML files.

The data files are read once (cached) and shared by every caller, so what a
loader returns must not be changeable: one caller editing the cached dict
would change every later analysis in the process. :func:`freeze` turns parsed
YAML into :class:`FrozenDict` / :class:`FrozenList`, which read like ``dict``
and ``list`` (``isinstance`` checks, JSON, ``**`` unpacking and type hints keep
working) but raise ``TypeError`` on any change. ``copy.deepcopy`` (or
:func:`thaw`) gives a mutable copy to experiment with.

:func:`read_packaged_yaml` is the one reader of a packaged YAML file: a file
that cannot be read or lacks what it must hold is a packaging error, reported
as one :class:`~kneetrack.errors.SettingsError` line.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from typing import Any, NoReturn

import yaml

from kneetrack.errors import SettingsError

__all__ = ["FrozenDict", "FrozenList", "freeze", "read_packaged_yaml", "thaw"]


def _read_only(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only; copy.deepcopy() it to change a copy")


class FrozenDict(dict[str, Any]):
    """A ``dict`` that cannot be changed (shared, cached data).

    Examples
    --------
    >>> d = freeze({"a": [1, 2]})
    >>> d["a"][0], isinstance(d, dict)
    (1, True)
    >>> d["b"] = 3
    Traceback (most recent call last):
    ...
    TypeError: FrozenDict is read-only; copy.deepcopy() it to change a copy
    """

    __setitem__ = _read_only
    __delitem__ = _read_only
    __ior__ = _read_only
    clear = _read_only
    pop = _read_only
    popitem = _read_only
    setdefault = _read_only
    update = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, _hashable(v)) for k, v in self.items())))

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (_frozen_dict, (dict(self),))

    def __copy__(self) -> FrozenDict:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        out: dict[str, Any] = thaw(self)
        return out


class FrozenList(list[Any]):
    """A ``list`` that cannot be changed (shared, cached data)."""

    __setitem__ = _read_only
    __delitem__ = _read_only
    __iadd__ = _read_only
    __imul__ = _read_only
    append = _read_only
    clear = _read_only
    extend = _read_only
    insert = _read_only
    pop = _read_only
    remove = _read_only
    reverse = _read_only
    sort = _read_only

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(_hashable(v) for v in self))

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return (FrozenList, (list(self),))

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        out: list[Any] = thaw(self)
        return out


def _frozen_dict(items: dict[str, Any]) -> FrozenDict:
    return FrozenDict(items)


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, dict | list) else hash(freeze(value))


def freeze(data: Any) -> Any:
    """A read-only deep copy of parsed YAML/JSON (dicts and lists frozen, the rest as is).

    Examples
    --------
    >>> frozen = freeze({"rules": [{"code": "x"}]})
    >>> frozen["rules"].append({})
    Traceback (most recent call last):
    ...
    TypeError: FrozenList is read-only; copy.deepcopy() it to change a copy
    """
    if isinstance(data, FrozenDict | FrozenList):
        return data
    if isinstance(data, dict):
        return FrozenDict({str(k): freeze(v) for k, v in data.items()})
    if isinstance(data, list | tuple):
        return FrozenList(freeze(v) for v in data)
    return data


def thaw(data: Any) -> Any:
    """A mutable deep copy of frozen (or any parsed) data: plain dicts and lists.

    Examples
    --------
    >>> copy = thaw(freeze({"a": [1]}))
    >>> copy["a"].append(2); copy
    {'a': [1, 2]}
    """
    if isinstance(data, dict):
        return {k: thaw(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [thaw(v) for v in data]
    return data


def read_packaged_yaml(package: str, path: str, *, what: str,
                       check: Callable[[Any], str | None] | None = None) -> FrozenDict:
    """Read one packaged YAML mapping, check it and return it frozen.

    Parameters
    ----------
    package : str
        The package holding the file (``"kneetrack.knowledge.thresholds"``).
    path : str
        File path inside the package (``"running.yaml"``, ``"content/x.yaml"``).
    what : str
        What the file is, for the error message (``"running thresholds"``).
    check : callable, optional
        Given the parsed mapping, returns a problem (one line) or ``None``.

    Raises
    ------
    SettingsError
        The file cannot be read, is not a mapping, or ``check`` found a problem.
    """
    ref = resources.files(package).joinpath(path)
    try:
        data = yaml.safe_load(ref.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:  # pragma: no cover - packaging error
        raise SettingsError(f"cannot read {what}: {exc}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{what} file is not a mapping")
    problem = check(data) if check is not None else None
    if problem:
        raise SettingsError(f"{what} file {problem}")
    frozen: FrozenDict = freeze(data)
    return frozen
