# Raw files (download, or copy from data.mirror) -> checked, split arrays.


localrules:
    download,


checkpoint download:
    # A local rule: on a cluster it runs on the login node, where the internet is. A
    # checkpoint: prepare's inputs are the files its manifest lists, known only once it ran.
    output:
        "results/data/raw/{dataset}/manifest.json",
    log:
        "results/logs/download/{dataset}.log",
    benchmark:
        "results/benchmarks/download/{dataset}.tsv"
    wildcard_constraints:
        dataset="|".join(DOWNLOADABLE),
    conda:
        "../../envs/cpu.yaml"
    params:
        mirror=config["data"]["mirror"],
        allow_partial=config["data"]["allow_partial"],
    script:
        "../scripts/download.py"


rule prepare:
    input:
        raw_inputs,
    output:
        "results/data/{dataset}.npz",
    log:
        "results/logs/prepare/{dataset}.log",
    benchmark:
        "results/benchmarks/prepare/{dataset}.tsv"
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        split_seed=config["data"]["split_seed"],
    script:
        "../scripts/prepare.py"
