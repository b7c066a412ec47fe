# Chapters 4-6, per network: the extraction, node metrics and layer classifiers of every
# (seed, state) of a net that a figure, table, the scorecard or the command line asks for,
# each one job per net (torch loads once per net, not once per state). Made in one loop
# from the plan (common.smk: ANALYSES): a rule's outputs cannot depend on its wildcards,
# and each net's set of (seed, state) differs, so each net has its own three rules.


for arch, works in ANALYSES.items():
    net = f"{arch.dataset}_{arch.name}"
    logs = f"{arch.dataset}/{arch.name}"

    rule:
        name:
            f"extract_{net}"
        input:
            **extraction_inputs(arch, works),
        output:
            z_outputs(arch, works),
        log:
            f"results/logs/extract/{logs}.log",
        benchmark:
            f"results/benchmarks/extract/{logs}.tsv"
        group:
            "analysis"
        conda:
            "../../envs/cpu.yaml"
        threads: analysis_cpus(arch)
        resources:
            mem_mb=4000,
            runtime=2 + 2 * len(works),  # minutes; an 8x800 net: about 20 s per state on 2 cores
        params:
            network=[arch.dataset, arch.name],
            works=[work.as_params() for work in works],
            extraction=extraction_settings(ANALYSIS, arch),
            batch_size=config["training"]["batch_size"],
        script:
            "../scripts/extract_net.py"

    if node_outputs(arch, works):

        rule:
            name:
                f"node_metrics_{net}"
            input:
                measured_z(arch, works, "nodes", NODE_SETTINGS["with_validation"]),
            output:
                node_outputs(arch, works),
            log:
                f"results/logs/node_metrics/{logs}.log",
            benchmark:
                f"results/benchmarks/node_metrics/{logs}.tsv"
            group:
                "analysis"
            conda:
                "../../envs/cpu.yaml"
            resources:
                mem_mb=4000,
                runtime=2 + len(works),  # an 8x800 net: 12 s per state on 2 cores
            params:
                **NODE_SETTINGS,
                network=[arch.dataset, arch.name],
                works=[work.as_params() for work in works],
                threshold=on_threshold(ANALYSIS, arch.activation),
            script:
                "../scripts/node_metrics_net.py"

    if classifier_outputs(arch, works):

        rule:
            name:
                f"classifiers_{net}"
            input:
                measured_z(arch, works, "classifiers"),
            output:
                classifier_outputs(arch, works),
            log:
                f"results/logs/classifiers/{logs}.log",
            benchmark:
                f"results/benchmarks/classifiers/{logs}.tsv"
            group:
                "analysis"
            conda:
                "../../envs/cpu.yaml"
            threads: analysis_cpus(arch)
            resources:
                mem_mb=2000,  # an 8x800 net: 0.48 GB peak
                runtime=2 + 2 * len(works),  # an 8x800 net: 27-31 s per state on 2 cores
            params:
                network=[arch.dataset, arch.name],
                works=[work.as_params() for work in works],
                threshold=on_threshold(ANALYSIS, arch.activation),
            script:
                "../scripts/classifiers_net.py"
