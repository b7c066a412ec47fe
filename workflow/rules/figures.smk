# Every figure and table of the catalog (actstudy.figures.catalog): one rule each, made
# in one loop. What a rule reads, passes, runs and writes comes from its kind's family
# (actstudy.figures.families); which networks it draws from config["figures"] or
# config["tables"]. On a cluster they run where Snakemake runs (local rules).


for name in TARGETS:

    rule:
        name:
            name
        input:
            **target_inputs(name),
        output:
            **target_outputs(name),
        log:
            f"results/logs/{target_folder(name)}/{name}.log",
        benchmark:
            f"results/benchmarks/{target_folder(name)}/{name}.tsv"
        localrule: True  # a second or two each: not worth a cluster job
        conda:
            "../../envs/cpu.yaml"
        resources:
            mem_mb=2000,
            runtime=5,
        params:
            **target_params(name),
            script=target_script(name),
        script:
            # formatted when the job runs: a loop variable here would be the last target's
            "../scripts/{params.script}"
