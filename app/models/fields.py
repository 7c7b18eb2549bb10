"""What a client may write into each model: type, size, range, nullability.

The API validates request bodies against these declarations so that a wrong
type or an oversized value is a 400 for the client, never a database error.
The OpenAPI document is generated from them too, so the two cannot drift.
"""
import math
from dataclasses import dataclass

TYPE_NAMES = {str: "string", int: "integer", float: "number"}

# MariaDB INT is 32-bit signed.
INT_RANGE = (-2**31, 2**31 - 1)


@dataclass(frozen=True)
class Field:
    """One writable attribute of a model and the values it accepts."""

    kind: type
    max_length: int = 0
    required: bool = False
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None

    def check(self, value):
        """Return an error message for ``value``, or None when it is valid."""
        if value is None:
            return None if self.nullable else "must not be null"
        if not self._has_kind(value):
            return "must be of type {}".format(TYPE_NAMES[self.kind])
        if self.kind is str:
            if self.max_length and len(value) > self.max_length:
                return "must be at most {} characters".format(self.max_length)
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "must be valid Unicode text"
            return None
        if self.kind is float and not math.isfinite(value):
            return "must be a finite number"
        low, high = self.bounds()
        if not low <= value <= high:
            return "must be between {} and {}".format(low, high)
        return None

    def bounds(self):
        """The (low, high) range a number must lie in, inclusive."""
        low, high = INT_RANGE if self.kind is int else (-math.inf, math.inf)
        return (low if self.minimum is None else self.minimum,
                high if self.maximum is None else self.maximum)

    def _has_kind(self, value):
        """Whether ``value`` has the field's type (an int is a float too)."""
        if isinstance(value, bool):
            return False
        if self.kind is float:
            return isinstance(value, (int, float))
        return isinstance(value, self.kind)
