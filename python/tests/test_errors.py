"""Every error is a domopt exception carrying the stable code the CLI prints."""

from __future__ import annotations

import json
import pickle

import pytest

import domopt
from conftest import DATASETS


def crunch_dict() -> dict:
    return json.loads((DATASETS / "small" / "capacity-crunch.json").read_text())


def test_a_scenario_with_errors_raises_a_validation_error_with_every_issue() -> None:
    doc = crunch_dict()
    doc["orders"].append(dict(doc["orders"][0]))  # a duplicate id
    doc["inventory"][0]["on_hand"] = -3  # a negative quantity
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.load(doc)
    e = caught.value
    codes = sorted(i["code"] for i in e.issues)
    assert codes == ["E101", "E103"]
    assert e.code in codes
    assert isinstance(e, domopt.DomoptError)
    assert "E101" in str(e) and "E103" in str(e)
    assert sorted(i["code"] for i in domopt.validate(doc)) == codes


def test_an_array_where_an_object_belongs_is_a_parse_error() -> None:
    doc = crunch_dict()
    doc["policy"] = [1, 2]
    with pytest.raises(domopt.ParseError) as caught:
        domopt.load(doc)
    assert caught.value.code == "E100"
    assert "<dict>" in str(caught.value)


def test_a_malformed_file_is_a_parse_error(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    with pytest.raises(domopt.ParseError) as caught:
        domopt.load(bad)
    assert caught.value.code == "E100"


def test_a_missing_file_is_a_file_error() -> None:
    with pytest.raises(domopt.FileError) as caught:
        domopt.load(DATASETS / "no-such-scenario.json")
    assert caught.value.code == "E121"
    with pytest.raises(domopt.FileError):
        domopt.validate(DATASETS / "no-such-scenario.json")


@pytest.mark.parametrize(
    "settings",
    [
        {"time_limit": -1.0},
        {"time_limit": float("nan")},
        {"mip_rel_gap": 1.5},
        {"threads": 0},
        {"threads": -4},
        {"seed": 2**31},
        {"candidates": "pruned:x"},
        {"candidates": "pruned:0"},
        {"candidates": "some"},
    ],
)
def test_a_setting_out_of_range_is_a_settings_error(crunch, settings: dict) -> None:
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.solve(crunch, **settings)
    assert caught.value.code == "E120"
    # The message names the argument as Python passes it.
    assert f"invalid setting {next(iter(settings))}:" in str(caught.value)


def test_an_unknown_strategy_is_a_settings_error(crunch) -> None:
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.solve(crunch, "fastest")
    assert caught.value.code == "E120"
    assert "greedy-cost" in str(caught.value)


def test_an_unknown_model_or_a_bad_override_is_a_settings_error() -> None:
    path = DATASETS / "small" / "capacity-crunch.json"
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.load(path, model="no-such-model")
    assert caught.value.code == "E119"
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.load(path, overrides=["split_penalty"])
    assert caught.value.code == "E120"
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.load(path, overrides={"split_penalty": -5})
    assert caught.value.code == "E111"


def test_a_plan_is_not_written_over_a_file(crunch, tmp_path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a plan")
    with pytest.raises(domopt.FileError) as caught:
        domopt.solve(crunch).write(target)
    assert caught.value.code == "E122"
    assert target.read_text() == "not a plan"


def test_an_unknown_preset_is_a_settings_error(tmp_path) -> None:
    with pytest.raises(domopt.SettingsError) as caught:
        domopt.generate("huge", out=tmp_path / "x")
    assert caught.value.code == "E120"


def test_arguments_of_the_wrong_type_are_type_errors(crunch) -> None:
    with pytest.raises(TypeError):
        domopt.load(42)
    with pytest.raises(TypeError):
        domopt.solve(crunch, time_limit="soon")
    with pytest.raises(TypeError):
        domopt.check(crunch, "plan.json")


def test_an_exception_keeps_its_code_and_issues_through_pickling() -> None:
    doc = crunch_dict()
    doc["orders"].append(dict(doc["orders"][0]))
    with pytest.raises(domopt.ValidationError) as caught:
        domopt.load(doc)
    again = pickle.loads(pickle.dumps(caught.value))
    assert type(again) is domopt.ValidationError
    assert (again.code, again.issues) == (caught.value.code, caught.value.issues)
