# One job per architecture trains all its (learning rate, seed) runs at once;
# a selection step then picks the learning rate later stages read.


rule train:
    input:
        "results/data/{dataset}.npz",
    output:
        history="results/train/{dataset}/{arch}/history.csv",
        summary="results/train/{dataset}/{arch}/summary.csv",
        init="results/train/{dataset}/{arch}/init.pt",
        best="results/train/{dataset}/{arch}/best.pt",
        snapshots=snapshot_outputs(),
    log:
        "results/logs/train/{dataset}/{arch}.log",
    benchmark:
        "results/benchmarks/train/{dataset}/{arch}.tsv"
    conda:
        "../../envs/cuda.yaml"
    threads: train_threads
    resources:
        gpu=1,
        mem_mb=train_mem_mb,
        runtime=train_runtime,
    params:
        training=training_params,
        checkpoint="results/resume/{dataset}/{arch}.pt",
    script:
        "../scripts/train.py"


localrules:
    select,  # reads one CSV: not worth a cluster job


rule select:
    input:
        "results/train/{dataset}/{arch}/summary.csv",
    output:
        "results/train/{dataset}/{arch}/selected.json",
    log:
        "results/logs/select/{dataset}/{arch}.log",
    benchmark:
        "results/benchmarks/select/{dataset}/{arch}.tsv"
    conda:
        "../../envs/cpu.yaml"
    script:
        "../scripts/select.py"
