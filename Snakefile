import sys
from pathlib import Path

from snakemake.utils import min_version

sys.path.insert(0, str(Path(workflow.basedir) / "src"))  # the package, installed or not
from actstudy import put_on_job_path
from actstudy.config import ARCH_PATTERN, load_schema, validate

min_version("9.0")


configfile: "config.yaml"


validate(
    config, load_schema(Path(workflow.basedir) / "workflow/schemas/config.schema.yaml")
)


put_on_job_path(Path(workflow.basedir) / "src")


wildcard_constraints:
    dataset="digits|mnist|fmnist|cifar10",
    arch=ARCH_PATTERN,


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/nodes.smk"
include: "workflow/rules/classifiers.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        all_tables(),


rule fig1_1:
    input:
        figure_files("fig1_1"),


rule fig1_2:
    input:
        figure_files("fig1_2"),


rule fig1_3:
    input:
        figure_files("fig1_3"),


rule fig3_1:
    input:
        figure_files("fig3_1"),


rule fig3_2:
    input:
        figure_files("fig3_2"),


rule fig3_3:
    input:
        figure_files("fig3_3"),


rule fig3_4:
    input:
        figure_files("fig3_4"),


rule fig3_5:
    input:
        figure_files("fig3_5"),


rule fig3_6:
    input:
        figure_files("fig3_6"),


rule fig3_7:
    input:
        figure_files("fig3_7"),


rule fig3_8:
    input:
        figure_files("fig3_8"),


rule fig3_9:
    input:
        figure_files("fig3_9"),


rule fig3_10:
    input:
        figure_files("fig3_10"),


rule fig4_1:
    input:
        figure_files("fig4_1"),


rule fig4_2:
    input:
        figure_files("fig4_2"),


rule fig4_3:
    input:
        figure_files("fig4_3"),


rule fig4_4:
    input:
        figure_files("fig4_4"),


rule fig4_5:
    input:
        figure_files("fig4_5"),


rule fig4_6:
    input:
        figure_files("fig4_6"),


rule fig4_7:
    input:
        figure_files("fig4_7"),


rule fig4_8:
    input:
        figure_files("fig4_8"),


rule fig4_9:
    input:
        figure_files("fig4_9"),


rule fig4_10:
    input:
        figure_files("fig4_10"),


rule fig4_11:
    input:
        figure_files("fig4_11"),


rule fig5_1:
    input:
        figure_files("fig5_1"),


rule fig5_2:
    input:
        figure_files("fig5_2"),


rule fig5_3:
    input:
        figure_files("fig5_3"),


rule fig5_4:
    input:
        figure_files("fig5_4"),


rule fig5_5:
    input:
        figure_files("fig5_5"),


rule fig5_6:
    input:
        figure_files("fig5_6"),


rule fig5_7:
    input:
        figure_files("fig5_7"),


rule fig5_8:
    input:
        figure_files("fig5_8"),


rule fig5_9:
    input:
        figure_files("fig5_9"),


rule figA_1:
    input:
        figure_files("figA_1"),


rule figA_2:
    input:
        figure_files("figA_2"),


rule fig6_1:
    input:
        figure_files("fig6_1"),


rule fig6_2:
    input:
        figure_files("fig6_2"),


rule fig6_3:
    input:
        figure_files("fig6_3"),


rule fig6_4:
    input:
        figure_files("fig6_4"),


rule fig6_5:
    input:
        figure_files("fig6_5"),


rule fig6_6:
    input:
        figure_files("fig6_6"),


rule fig6_7:
    input:
        figure_files("fig6_7"),


rule figA_3:
    input:
        figure_files("figA_3"),


rule figA_4:
    input:
        figure_files("figA_4"),


rule figA_5:
    input:
        figure_files("figA_5"),


rule figA_6:
    input:
        figure_files("figA_6"),


rule table5_1:
    input:
        table_files("table5_1"),


rule table5_2:
    input:
        table_files("table5_2"),
