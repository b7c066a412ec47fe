# Chapter 6: every hidden layer's discrete, continuous and combined classifiers (their
# figures are in figures.smk).


rule classifiers:
    input:
        train="results/z/{dataset}/{arch}/seed{seed}/{state}_train.parquet",
        test="results/z/{dataset}/{arch}/seed{seed}/{state}_test.parquet",
    output:
        "results/metrics/{dataset}/{arch}/seed{seed}/{state}_classifiers.csv",
    log:
        "results/logs/classifiers/{dataset}/{arch}/seed{seed}_{state}.log",
    benchmark:
        "results/benchmarks/classifiers/{dataset}/{arch}/seed{seed}_{state}.tsv"
    wildcard_constraints:
        state=r"init|best|epoch\d+",
        seed=r"\d+",
    conda:
        "../../envs/cpu.yaml"
    threads: analysis_threads
    resources:
        mem_mb=2000,  # an 8x800 net: 0.48 GB peak
        runtime=10,  # an 8x800 net: 27-31 s on 2 cores
    params:
        threshold=node_on_threshold,
    script:
        "../scripts/classifiers.py"
