# Chapters 4 and 5: hidden activations to Parquet, and node metrics (their figures and
# tables are in figures.smk).
# Only what some requested target needs is extracted: the DAG decides.


rule extract:
    # Both splits every analysis reads, from one model load and one process.
    input:
        states="results/train/{dataset}/{arch}/{state}.pt",
        selection="results/train/{dataset}/{arch}/selected.json",
        data="results/data/{dataset}.npz",
    output:
        train="results/z/{dataset}/{arch}/seed{seed}/{state}_train.parquet",
        test="results/z/{dataset}/{arch}/seed{seed}/{state}_test.parquet",
    log:
        "results/logs/extract/{dataset}/{arch}/seed{seed}_{state}.log",
    benchmark:
        "results/benchmarks/extract/{dataset}/{arch}/seed{seed}_{state}.tsv"
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    threads: analysis_threads  # 1 for tiny nets; on a cluster the group's members run one at a time
    resources:
        mem_mb=4000,
        runtime=10,  # minutes; an 8x800 net on 65 000 samples: about 20 s on 2 cores
    params:
        extraction=extraction_params,
        batch_size=config["training"]["batch_size"],
    script:
        "../scripts/extract.py"


use rule extract as extract_validation with:
    # The validation split: read only by the train+validation reading of node metrics.
    output:
        val="results/z/{dataset}/{arch}/seed{seed}/{state}_val.parquet",
    log:
        "results/logs/extract/{dataset}/{arch}/seed{seed}_{state}_val.log",
    benchmark:
        "results/benchmarks/extract/{dataset}/{arch}/seed{seed}_{state}_val.tsv"


rule node_metrics:
    input:
        train=node_metric_samples,
        test="results/z/{dataset}/{arch}/seed{seed}/{state}_test.parquet",
    output:
        class_nodes="results/metrics/{dataset}/{arch}/seed{seed}/{state}_class_nodes.parquet",
        nodes="results/metrics/{dataset}/{arch}/seed{seed}/{state}_nodes.csv",
        layers="results/metrics/{dataset}/{arch}/seed{seed}/{state}_layers.csv",
    log:
        "results/logs/node_metrics/{dataset}/{arch}/seed{seed}_{state}.log",
    benchmark:
        "results/benchmarks/node_metrics/{dataset}/{arch}/seed{seed}_{state}.tsv"
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=4000,
        runtime=10,  # an 8x800 net: 12 s on 2 cores
    params:
        on_at_zero=ANALYSIS["node_on"] == "z>=0",
        include_dead=ANALYSIS["dead_in_sparsity"],
        threshold=node_on_threshold,
    script:
        "../scripts/node_metrics.py"
