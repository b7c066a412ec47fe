"""The catalog of figure kinds and targets: every kind complete, unknown names named, and
docs/development.md's "Add a figure" followed step by step in a copy of the repository."""

import pytest
import yaml
from conftest import REPO

from actstudy.figures.catalog import FIGURE_KINDS, TARGETS, Kind, _catalog, kind_of, renderer
from actstudy.figures.families import FAMILIES

ARTEFACTS = {"z_train", "class_nodes", "nodes", "classifiers"}


def test_every_kind_has_a_renderer_its_files_its_schema_and_a_script():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    for name, kind in FIGURE_KINDS.items():
        assert callable(renderer(name)), name
        assert kind.family in FAMILIES and (REPO / "workflow/scripts" / FAMILIES[kind.family].script).is_file(), name
        assert kind.schema in schema["$defs"], name
        if kind.family in ("node", "classifier"):
            assert kind.reads and {artefact for _, artefact, _ in kind.reads} <= ARTEFACTS, name
        if kind.family == "comparison":
            assert kind.needs and set(kind.needs) <= {"train", "layers", "classifiers"}, name
    assert {t.kind for t in TARGETS.values()} == set(FIGURE_KINDS)  # no kind without a target


def test_a_target_of_no_known_kind_or_an_unknown_name_is_named():
    with pytest.raises(ValueError, match=r"figX_dead \('dead_bars'\).*the kinds: activation_shapes"):
        _catalog([("figX_dead", "dead_bars", None)])
    with pytest.raises(KeyError, match="'fig9_9' is not a figure or table of the catalog"):
        kind_of("fig9_9")


def test_study_labels_are_explicit_and_beyond_the_study_is_none():
    assert TARGETS["figA_3"].study == "Figure A.3" and TARGETS["table5_2"].study == "Table 5.2"
    assert TARGETS["cmp_dead"].study is None and TARGETS["cmp_dead"].chapter.startswith("7. Beyond the study")
    assert isinstance(FIGURE_KINDS["activity"], Kind) and TARGETS["fig5_1"].family == "node"
