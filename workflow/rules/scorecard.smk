# Did it reproduce? Every number of the study beside ours, with a verdict.


rule scorecard:
    input:
        scorecard_inputs,
    output:
        figure=report(
            "results/scorecard.png",
            caption="../report/scorecard_figure.rst",
            category=SCORECARD,
            labels={"result": "scorecard", "format": "at a glance"},
        ),
        html=report(
            "results/scorecard.html",
            caption="../report/scorecard.rst",
            category=SCORECARD,
            labels={"result": "scorecard", "format": "page"},
        ),
        csv=report(
            "results/scorecard.csv",
            caption="../report/scorecard.rst",
            category=SCORECARD,
            labels={"result": "scorecard", "format": "CSV: numbers"},
        ),
        checks=report(
            "results/scorecard_checks.csv",
            caption="../report/scorecard_checks.rst",
            category=SCORECARD,
            labels={"result": "scorecard", "format": "CSV: claims"},
        ),
        md="results/scorecard.md",
        provenance="results/provenance.json",
    log:
        "results/logs/scorecard.log",
    benchmark:
        "results/benchmarks/scorecard.tsv"
    localrule: True  # seconds: not worth a cluster job
    conda:
        "../../envs/cpu.yaml"
    resources:
        mem_mb=2000,
        runtime=5,
    params:
        plan=scorecard_plan,
        study=STUDY_FILE,
        readings=describe_readings(ANALYSIS),
    script:
        "../scripts/scorecard.py"
