# Figures, by target name; which architectures each draws comes from config["figures"].


rule training_figure:
    input:
        unpack(figure_inputs),
    output:
        png=report(
            "results/figures/{figure}.png",
            category="Chapters 1 and 3: training",
            labels={"figure": "{figure}"},
        ),
        pdf="results/figures/{figure}.pdf",
    log:
        "results/logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(TRAINING_FIGURES),
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        architectures=figure_architecture_names,
    script:
        "../scripts/plot_training_figure.py"


rule static_figure:
    output:
        png=report(
            "results/figures/{figure}.png",
            category="Chapters 1 and 3: training",
            labels={"figure": "{figure}"},
        ),
        pdf="results/figures/{figure}.pdf",
    log:
        "results/logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(STATIC_FIGURES),
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/plot_static_figure.py"
