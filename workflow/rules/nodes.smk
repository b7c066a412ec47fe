# Chapters 4 and 5: hidden activations to Parquet, node metrics, figures and tables.
# Only what some requested target needs is extracted: the DAG decides.


rule extract:
    input:
        states="results/train/{dataset}/{arch}/{state}.pt",
        selection="results/train/{dataset}/{arch}/selected.json",
        data="results/data/{dataset}.npz",
    output:
        "results/activations/{dataset}/{arch}/seed{seed}/{state}_{split}.parquet",
    log:
        "results/logs/extract/{dataset}/{arch}/seed{seed}_{state}_{split}.log",
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        split="train|test",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=4000,
        runtime=10,  # minutes; an 8x800 net on 55 000 samples: 17 s on 2 cores
    script:
        "../scripts/extract.py"


rule node_metrics:
    input:
        train="results/activations/{dataset}/{arch}/seed{seed}/{state}_train.parquet",
        test="results/activations/{dataset}/{arch}/seed{seed}/{state}_test.parquet",
    output:
        class_nodes="results/metrics/{dataset}/{arch}/seed{seed}/{state}_class_nodes.parquet",
        nodes="results/metrics/{dataset}/{arch}/seed{seed}/{state}_nodes.csv",
        layers="results/metrics/{dataset}/{arch}/seed{seed}/{state}_layers.csv",
    log:
        "results/logs/node_metrics/{dataset}/{arch}/seed{seed}_{state}.log",
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=4000,
        runtime=10,  # an 8x800 net: 17 s on 2 cores
    script:
        "../scripts/node_metrics.py"


rule node_figure:
    input:
        node_figure_inputs,
    output:
        png=report(
            "results/figures/{figure}.png",
            category="Chapters 4 and 5: nodes",
            labels={"figure": "{figure}"},
        ),
        pdf="results/figures/{figure}.pdf",
    log:
        "results/logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(NODE_FIGURES),
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        networks=node_figure_plan,
    script:
        "../scripts/plot_node_figure.py"


rule table:
    input:
        table_inputs,
    output:
        csv=report(
            "results/tables/{table}.csv",
            category="Chapter 5: tables",
            labels={"table": "{table}"},
        ),
        md="results/tables/{table}.md",
        tex="results/tables/{table}.tex",
    log:
        "results/logs/tables/{table}.log",
    wildcard_constraints:
        table="|".join(TABLES),
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        networks=table_plan,
    script:
        "../scripts/make_table.py"
