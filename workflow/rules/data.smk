# Raw files (download, or copy from data.mirror) -> checked, split arrays.


localrules:
    download,


rule download:
    # A local rule: on a cluster it runs on the login node, where the internet is.
    output:
        "results/data/raw/{dataset}/manifest.json",
    params:
        mirror=config["data"]["mirror"],
        allow_partial=config["data"]["allow_partial"],
    wildcard_constraints:
        dataset="mnist|fmnist|cifar10",
    log:
        "results/logs/download/{dataset}.log",
    script:
        "../scripts/download.py"


rule prepare:
    input:
        raw_manifest,
    output:
        "results/data/{dataset}.npz",
    params:
        split_seed=config["data"]["split_seed"],
    resources:
        mem_mb=4000,
    log:
        "results/logs/prepare/{dataset}.log",
    script:
        "../scripts/prepare.py"
