# Beyond the study: any activations and regularisers side by side. Each comparison is a
# figure and the CSV of the numbers it draws; config["figures"] says which networks.


for name in names("comparison"):

    rule:
        name:
            name
        input:
            comparison_inputs(name),
        output:
            png=figure_report(name),
            pdf=f"results/figures/{name}.pdf",
            csv=f"results/figures/{name}.csv",
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
            kind=COMPARISON_KINDS[name],
            networks=comparison_items(name),
        script:
            "../scripts/plot_comparison.py"
