"""The scorecard: every number of the study beside ours, the study's claims checked, the
figure that shows both at a glance, and where the results came from (provenance)."""

from pathlib import Path

from actstudy.core.io import write_json
from actstudy.core.logs import job_logging
from actstudy.core.provenance import collect
from actstudy.figures.draw import save
from actstudy.figures.scorecard import overview
from actstudy.study import pages as scorecard_pages
from actstudy.study import scorecard
from actstudy.study.numbers import load_study

with job_logging(snakemake.log[0]) as log:
    schema = Path(snakemake.params.study).parents[1] / "schemas/study.schema.yaml"
    study = load_study(snakemake.params.study, schema)
    scores, claims = scorecard.build(study, snakemake.params.plan)
    out = snakemake.output
    paths = {key: out[key] for key in ("csv", "checks", "md", "html", "figure")}
    scorecard_pages.write(scores, claims, paths, snakemake.params.readings)
    save(overview(scores, claims), out.figure)
    write_json(collect(Path(snakemake.scriptdir).resolve().parents[1], snakemake.config), out.provenance)
    log.info("%s", scorecard_pages.summary_line(scores, claims))
