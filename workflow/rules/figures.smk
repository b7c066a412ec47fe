# Chapters 1 and 3: one rule per figure (the catalog lists them); which architectures
# each draws comes from config["figures"].


for name in names("static"):

    rule:
        name:
            name
        output:
            png=figure_report(name),
            pdf=f"results/figures/{name}.pdf",
        log:
            f"results/logs/figures/{name}.log",
        benchmark:
            f"results/benchmarks/figures/{name}.tsv"
        group:
            "figures"
        conda:
            "../../envs/cpu.yaml"
        resources:
            mem_mb=2000,
            runtime=5,
        params:
            figure=name,
        script:
            "../scripts/plot_static_figure.py"


for name in names("training"):

    rule:
        name:
            name
        input:
            **figure_inputs(name),
        output:
            png=figure_report(name),
            pdf=f"results/figures/{name}.pdf",
        log:
            f"results/logs/figures/{name}.log",
        benchmark:
            f"results/benchmarks/figures/{name}.tsv"
        group:
            "figures"
        conda:
            "../../envs/cpu.yaml"
        resources:
            mem_mb=2000,
            runtime=5,
        params:
            figure=name,
            architectures=figure_architecture_names(name),
        script:
            "../scripts/plot_training_figure.py"
