# Chapter 6: every hidden layer's discrete, continuous and combined classifiers.


rule classifiers:
    input:
        train="results/activations/{dataset}/{arch}/seed{seed}/{state}_train.parquet",
        test="results/activations/{dataset}/{arch}/seed{seed}/{state}_test.parquet",
    output:
        "results/metrics/{dataset}/{arch}/seed{seed}/{state}_classifiers.csv",
    log:
        "results/logs/classifiers/{dataset}/{arch}/seed{seed}_{state}.log",
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    threads: 2
    resources:
        mem_mb=6000,  # an 8x800 net: 3.0 GB peak
        runtime=15,  # an 8x800 net: 91 s on 2 cores
    script:
        "../scripts/classifiers.py"


rule classifier_figure:
    input:
        node_figure_inputs,
    output:
        png=report(
            "results/figures/{figure}.png",
            category="Chapter 6: layers as classifiers",
            labels={"figure": "{figure}"},
        ),
        pdf="results/figures/{figure}.pdf",
    log:
        "results/logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(CLASSIFIER_FIGURES),
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        networks=node_figure_plan,
    script:
        "../scripts/plot_node_figure.py"
