# One job per architecture trains all its (learning rate, seed) runs at once;
# a selection step then picks the learning rate later stages read.


rule train:
    input:
        data="results/data/{dataset}.npz",
    output:
        **trained_files(COARSE_DIR),
    log:
        f"results/logs/train/{{dataset}}/{{arch}}{ROUND0}.log",
    benchmark:
        f"results/benchmarks/train/{{dataset}}/{{arch}}{ROUND0}.tsv"
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


if REFINE_ROUNDS:
    # The study's iterative grid search (docs/protocol.md): round k >= 1 trains the rates
    # its plan names, planned once the earlier rounds are trained (a checkpoint: the DAG
    # grows with the data); merge_rounds gives the later stages one set of files over
    # every rate tried, and `select` picks among them all.

    checkpoint plan_round:
        input:
            unpack(plan_round_inputs),
        output:
            "results/train/{dataset}/{arch}/round{round}/plan.json",
        log:
            "results/logs/plan_round/{dataset}/{arch}_round{round}.log",
        benchmark:
            "results/benchmarks/plan_round/{dataset}/{arch}_round{round}.tsv"
        wildcard_constraints:
            round=r"[1-9]\d*",
        conda:
            "../../envs/cpu.yaml"
        params:
            rounds=REFINE_ROUNDS,
        script:
            "../scripts/plan_round.py"

    use rule train as train_round with:
        input:
            data="results/data/{dataset}.npz",
            plan="results/train/{dataset}/{arch}/round{round}/plan.json",
        output:
            **trained_files("results/train/{dataset}/{arch}/round{round}"),
        log:
            "results/logs/train/{dataset}/{arch}_round{round}.log",
        benchmark:
            "results/benchmarks/train/{dataset}/{arch}_round{round}.tsv"
        wildcard_constraints:
            round=r"[1-9]\d*",
        params:
            training=training_params,
            checkpoint="results/resume/{dataset}/{arch}_round{round}.pt",

    rule merge_rounds:
        input:
            unpack(refined_rounds),
        output:
            **trained_files("results/train/{dataset}/{arch}"),
        log:
            "results/logs/merge_rounds/{dataset}/{arch}.log",
        benchmark:
            "results/benchmarks/merge_rounds/{dataset}/{arch}.tsv"
        conda:
            "../../envs/cpu.yaml"
        script:
            "../scripts/merge_rounds.py"
