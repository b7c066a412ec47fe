# Restore instead of retrain: `snakemake bundle` packs the data and every trained net into
# one checksummed archive; `python -m actstudy.restore` puts one in place (docs/bundle.md).
from actstudy.bundle import network_records, selections


localrules:
    bundle,


rule bundle:
    input:
        selections(config),
    output:
        "results/bundle/results.tar",
    log:
        "results/logs/bundle.log",
    benchmark:
        "results/benchmarks/bundle.tsv"
    conda:
        "../../envs/cpu.yaml"
    params:
        networks=network_records(config),
        z=config.get("bundle", {}).get("z", False),
    script:
        "../scripts/bundle.py"
