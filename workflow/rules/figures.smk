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
    params:
        architectures=figure_architecture_names,
    wildcard_constraints:
        figure="|".join(TRAINING_FIGURES),
    log:
        "results/logs/figures/{figure}.log",
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
    wildcard_constraints:
        figure="|".join(STATIC_FIGURES),
    log:
        "results/logs/figures/{figure}.log",
    script:
        "../scripts/plot_static_figure.py"
