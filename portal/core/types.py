"""Column types shared by the models."""

from __future__ import annotations

import enum

import sqlalchemy as sa


def enum_column(enum_class: type[enum.Enum], length: int = 20) -> sa.Enum:
    """Enums are stored as their values in a plain VARCHAR, portable across databases."""
    return sa.Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
