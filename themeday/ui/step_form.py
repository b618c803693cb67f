"""One step of an activity (定日期, 活动方案, 开展情况, 活动总结, 取消活动) as a form.

A step is described, not drawn: its :class:`Field` list says which inputs the form has
(label, key, starting value), and :func:`step_form` draws them, then on submit hands
their values to the step's service function. Every form is keyed by the version of
the activity it was filled from (:func:`~themeday.ui.activity_widgets.edit_version`):
a write refused as stale keeps what was typed, and a saved one starts the forms
afresh from the stored record (:func:`~themeday.ui.activity_widgets.write`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st

from themeday.core.records import Activity
from themeday.services.activities import Upload
from themeday.ui.activity_widgets import edit_version, write
from themeday.ui.inputs import FileRule, date_field, file_picker
from themeday.ui.widgets import escape_markdown


@dataclass(frozen=True)
class Field:
    """One input of a step form.

    ``name`` is the service's keyword the value goes to; the widget's key is ``key``
    followed by the activity and its version. ``draw`` is the input's Streamlit
    function, called as ``draw(label, key=..., **options)``; ``convert`` turns what
    it returns into the service's value.
    """

    name: str
    label: str
    key: str
    draw: Callable[..., Any]
    options: Mapping[str, Any] = field(default_factory=dict)
    convert: Callable[[Any], Any] | None = None

    def value(self, suffix: str) -> Any:
        """Draw the input (its key ending in ``suffix``) and return its value."""
        drawn = self.draw(self.label, key=f"{self.key}_{suffix}", **self.options)
        return drawn if self.convert is None else self.convert(drawn)


def text(name: str, label: str, key: str, **options: Any) -> Field:
    """A one-line text input (``st.text_input``)."""
    return Field(name, label, key, st.text_input, options)


def area(name: str, label: str, key: str, **options: Any) -> Field:
    """A text area (``st.text_area``)."""
    return Field(name, label, key, st.text_area, options)


def whole_number(
    name: str, label: str, key: str, value: int, convert: Callable[[Any], Any] = int
) -> Field:
    """A count from 0 up (``st.number_input``), handed on through ``convert``."""
    options = {"min_value": 0, "step": 1, "value": value}
    return Field(name, label, key, st.number_input, options, convert=convert)


def choices(name: str, label: str, key: str, **options: Any) -> Field:
    """A multiple choice (``st.multiselect``)."""
    return Field(name, label, key, st.multiselect, options)


def day(
    name: str, label: str, key: str, value: date | None, bounds: tuple[date, date], **options: Any
) -> Field:
    """A date within ``bounds`` (:func:`~themeday.ui.inputs.date_field`)."""
    return Field(name, label, key, date_field, {"value": value, "bounds": bounds, **options})


def files(name: str, label: str, key: str, rule: FileRule, **options: Any) -> Field:
    """Several files of one kind (:func:`~themeday.ui.inputs.file_picker`), as uploads."""
    options = {"rule": rule, "multiple": True, **options}
    return Field(name, label, key, file_picker, options, convert=uploads)


def one_file(name: str, label: str, key: str, rule: FileRule, **options: Any) -> Field:
    """At most one file (:func:`~themeday.ui.inputs.file_picker`), as an upload or None."""
    return Field(name, label, key, file_picker, {"rule": rule, **options}, convert=upload)


def counts(
    name: str, label: str, key: str, kinds: Sequence[str], values: Mapping[str, int]
) -> Field:
    """A count for each of ``kinds``, three to a row under the heading ``label``."""
    return Field(name, label, key, _count_grid, {"kinds": tuple(kinds), "values": values})


def _count_grid(
    label: str, *, key: str, kinds: Sequence[str], values: Mapping[str, int]
) -> dict[str, int]:
    st.markdown(label)
    columns = st.columns(3)
    # The keys number the kinds: ``attendance_0_…`` for the first, like before.
    prefix, _, suffix = key.partition("_")
    return {
        kind: int(
            columns[index % 3].number_input(
                kind,
                min_value=0,
                step=1,
                value=values.get(kind, 0),
                key=f"{prefix}_{index}_{suffix}",
            )
        )
        for index, kind in enumerate(kinds)
    }


def uploads(picked: Any) -> list[Upload]:
    """The files picked in a file input, as the services take them."""
    return [Upload(f.getvalue(), f.name) for f in picked or []]


def upload(picked: Any) -> Upload | None:
    """The one file picked in a file input, or None."""
    return Upload(picked.getvalue(), picked.name) if picked is not None else None


@dataclass(frozen=True)
class StepForm:
    """A step's form: its key, its inputs, its button and the message after saving.

    ``note`` is a caption shown above the button; ``given`` are values the form hands
    on besides its inputs (e.g. a date picked above the form).
    """

    key: str
    fields: Sequence[Field]
    submit: str
    success: str
    primary: bool = True
    note: str = ""
    given: Mapping[str, Any] = field(default_factory=dict)


def step_suffix(activity: Activity) -> str:
    """The ending of a step's widget keys: the activity and the version its forms show."""
    return f"{activity.id}_{edit_version(activity)}"


def step_form(
    activity: Activity, form: StepForm, service: Callable[..., Any], *leading: Any
) -> None:
    """Draw ``form`` for ``activity``; on submit call the step's service.

    The service is called as ``service(*leading, activity.id, version, **values)``
    (``version`` the one the form was filled from, so a stale save is refused); after
    it worked the page reruns with the success message.
    """
    version = edit_version(activity)
    suffix = f"{activity.id}_{version}"
    with st.form(f"{form.key}_{suffix}", clear_on_submit=False):
        values = {f.name: f.value(suffix) for f in form.fields}
        if form.note:
            st.caption(escape_markdown(form.note))
        pressed = st.form_submit_button(
            form.submit, type="primary" if form.primary else "secondary"
        )
        if pressed:
            write(
                activity,
                lambda: service(*leading, activity.id, version, **values, **form.given),
                form.success,
            )
