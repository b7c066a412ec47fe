"""The documents follow the code: the README names every figure of the study and no
target the catalog lacks, every target
has its caption, nothing cites a file outside the repository."""

import re

from conftest import REPO

from actstudy.figures.catalog import TARGETS


def readme_targets() -> set[str]:
    """Targets the README names, one by one or as ranges like `fig3_1`–`fig3_10`."""
    text = (REPO / "README.md").read_text()
    names = set(re.findall(r"`((?:fig[0-9A]+_\d+)|(?:table\d_\d)|(?:cmp_\w+))`", text))
    for prefix, first, last in re.findall(r"`(fig[0-9A]+_)(\d+)`–`fig[0-9A]+_(\d+)`", text):
        names |= {f"{prefix}{i}" for i in range(int(first), int(last) + 1)}
    return names


def test_readme_lists_every_figure_of_the_study_and_nothing_the_catalog_lacks():
    study = {name for name, target in TARGETS.items() if target.study is not None}
    assert readme_targets() >= study, study - readme_targets()
    assert readme_targets() <= set(TARGETS), readme_targets() - set(TARGETS)


def test_every_target_has_a_caption_and_the_report_folder_holds_only_the_scorecards():
    assert all(target.description.strip().endswith(".") for target in TARGETS.values())
    pages = {p.stem for p in (REPO / "workflow/report").glob("*.rst")}
    assert pages == {"workflow", "scorecard", "scorecard_checks", "scorecard_figure"}  # targets: in the catalog


def test_nothing_cites_a_file_outside_the_repository():
    for path in [*REPO.glob("src/**/*.py"), *REPO.glob("docs/*.md"), REPO / "README.md", *REPO.glob("workflow/**/*")]:
        if path.is_file():
            text = path.read_text(errors="ignore")
            assert "SPEC" not in text and "../shared" not in text.replace("../shared/datasets", ""), path


def test_every_caption_is_its_description_and_the_shared_lines_of_its_family(tmp_path):
    from actstudy.figures.families import caption_page

    for name, target in TARGETS.items():
        description = target.description
        assert "Study:" not in description and "Drawn from" not in description, name  # written once, for all
        page = open(caption_page(name, tmp_path)).read()
        assert page.startswith(description) and page.rstrip().endswith(".")
        study = "none; the question the study leaves open" if target.study is None else target.study
        assert f"Study: {study}" in page, name
