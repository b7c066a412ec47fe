import sys
from pathlib import Path

from snakemake.utils import min_version

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # the package, installed or not
from actstudy import put_on_job_path
from actstudy.core.config import ARCH_PATTERN
from actstudy.validation import check_config_file, load_schema, validate
from actstudy.data.datasets import DATASETS

min_version("9.0")


for path in ["config.yaml", *workflow.overwrite_configfiles]:
    check_config_file(
        path
    )  # Snakemake would not say where, nor refuse a key given twice


configfile: "config.yaml"


validate(
    config, load_schema(Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
)


put_on_job_path(Path(workflow.basedir) / "src")


wildcard_constraints:
    dataset="|".join(DATASETS),
    arch=ARCH_PATTERN,


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/scorecard.smk"
include: "workflow/rules/bundle.smk"


report: landing_text()


rule all:
    default_target: True
    input:
        all_target_files(),
        "results/scorecard.md",
