"""The scorecard: every number of the study beside ours, and the study's claims checked."""

from pathlib import Path

from actstudy import scorecard, scorecard_pages
from actstudy.logs import job_logging
from actstudy.study import load_study, study_rows

with job_logging(snakemake.log[0]) as log:
    schema = Path(snakemake.params.study).parents[1] / "schemas/study.schema.yaml"
    study = load_study(snakemake.params.study, schema)
    plan = snakemake.params.plan
    protocol = {(item["dataset"], item["network"]): item["protocol"] for item in plan}
    measured = scorecard.measure(plan)
    scores = scorecard.score(study_rows(study), measured, protocol, study["verdict"]["sigma"])
    checks = scorecard.run_checks(study["checks"], measured, protocol)
    out = snakemake.output
    scorecard_pages.write(
        scores, checks, {key: out[key] for key in ("csv", "checks", "md", "html")}, snakemake.params.readings
    )
    log.info("%s", scorecard_pages.summary_line(scores, checks))
