"""Restore instead of retrain: `snakemake bundle` on digits, then `python -m actstudy.restore`
into fresh working directories (other absolute paths), each checked with real Snakemake
runs. The archive checks (a flipped byte, a link, a path outside results/) also run on
small hand-made archives."""

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO, snakemake
from conftest import small_config as shared_small_config

from actstudy import bundle
from actstudy.core.provenance import RESTORED


def small_config() -> dict:
    """Nine 2x32 nets on digits, one learning rate and one seed, 15 epochs."""
    return shared_small_config(learning_rates=[0.01], seeds=[0])


def workdir_with(folder: Path, config: dict) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder


def restore(workdir: Path, archive: Path, *flags: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "actstudy.restore",
        str(archive),
        "--directory",
        str(workdir),
        "--snakefile",
        str(REPO / "Snakefile"),
        *flags,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=3600)


def planned(workdir: Path, *args: str) -> dict[str, int]:
    """The jobs a dry run plans, by rule."""
    output = snakemake(workdir, "-n", *args, "--quiet", "rules")
    counts = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


def rewritten(source: Path, target: Path, edit=lambda manifest: manifest, keep=lambda path: True) -> Path:
    """A copy of a bundle with its manifest edited and only the members ``keep`` accepts
    (their entries dropped from the manifest too), as another bundle maker would write it."""
    with tarfile.open(source) as tar:
        manifest = json.loads(tar.extractfile(bundle.MANIFEST).read())
        manifest["files"] = [e for e in manifest["files"] if keep(e["path"])]
        data = json.dumps(edit(manifest)).encode()
        with tarfile.open(target, "w") as out:
            info = tarfile.TarInfo(bundle.MANIFEST)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
            for member in tar.getmembers()[1:]:
                if keep(member.name):
                    out.addfile(member, tar.extractfile(member))
    return target


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A bundle of the nine nets, made by `snakemake bundle` in its own working directory."""
    workdir = workdir_with(tmp_path_factory.mktemp("export") / "work", small_config())
    snakemake(workdir, "--cores", "2", "bundle")
    return workdir, workdir / "results/bundle/results.tar"


@pytest.fixture(scope="module")
def restored(exported, tmp_path_factory):
    """The bundle restored into a fresh working directory at another absolute path."""
    _, archive = exported
    workdir = workdir_with(tmp_path_factory.mktemp("restore") / "elsewhere", small_config())
    done = restore(workdir, archive)
    assert done.returncode == 0, done.stdout + done.stderr
    return workdir


@pytest.mark.pipeline
@pytest.mark.slow
def test_manifest_names_every_file_with_its_checksum_and_maker(exported):
    workdir, archive = exported
    manifest = bundle.verify(archive)
    paths = {entry["path"] for entry in manifest["files"]}
    assert "results/data/digits.npz" in paths
    assert {
        f"results/train/digits/d2_w32_bn0_relu/{name}"
        for name in ("history.csv", "summary.csv", "init.pt", "best.pt", "epoch5.pt", "epoch15.pt", "selected.json")
    } <= paths
    for entry in manifest["files"]:
        assert entry["sha256"] == bundle.sha256_file(workdir / entry["path"]) and entry["rule"]
    assert manifest["code"] == bundle.code_digests(REPO) and "src/actstudy/training/trainer.py" in manifest["code"]
    assert manifest["networks"]["digits/d2_w32_bn0_relu"]["training"]["epochs"] == 15
    assert manifest["datasets"] == {"digits": {"split_seed": 0}} and manifest["git_commit"]


@pytest.mark.pipeline
@pytest.mark.slow
def test_restored_elsewhere_nothing_trains_and_every_figure_builds(restored):
    assert not {"train", "prepare", "select", "download"} & set(planned(restored))
    record = json.loads((restored / RESTORED).read_text())
    assert record["files"] > 0 and len(record["networks"]) == 9 and not record["accepted_differences"]
    output = snakemake(restored, "--cores", "2")
    assert "rule train:" not in output and "rule prepare:" not in output
    figures = {p.stem for p in (restored / "results/figures").glob("*.png")}
    assert {"fig3_4", "fig5_1", "fig6_2", "cmp_dead"} <= figures
    assert planned(restored) == {}
    provenance = json.loads((restored / "results/provenance.json").read_text())
    assert record["bundle_sha256"] in provenance["results"]


@pytest.mark.pipeline
@pytest.mark.slow
def test_a_restored_clones_report_names_its_bundle_on_the_first_page(restored):
    """The one line a restore promises to show reaches the report's landing page, in a
    real browser: the bundle's SHA-256 (the line is longer than any other provenance value)."""
    from chromium import browser, wait_for
    from selenium.webdriver.common.by import By

    record = json.loads((restored / RESTORED).read_text())
    snakemake(restored, "--cores", "2", "scorecard")
    report = restored / "report.html"
    snakemake(restored, "--report", str(report))
    driver = browser()
    try:
        driver.get(report.as_uri())
        landing = wait_for(lambda: driver.find_element(By.TAG_NAME, "body").text)
        assert f"restored from bundle SHA-256 {record['bundle_sha256']}" in landing, landing[:2000]
        assert "not shown" not in landing, landing[:2000]
    finally:
        driver.quit()


@pytest.mark.pipeline
@pytest.mark.slow
def test_a_changed_training_setting_retrains_exactly_that_net(restored, tmp_path):
    config = small_config()
    config["architectures"][1]["seeds"] = [0, 1]  # the dropout net's block only
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(config))
    output = snakemake(restored, "-n", "--configfile", str(changed))
    assert planned(restored, "--configfile", str(changed))["train"] == 1, output[-3000:]
    train_job = output.split("rule train:", 1)[1].split("\n\n", 1)[0]
    assert "arch=d2_w32_bn0_relu_do0.2" in train_job and "Params have changed" in train_job


@pytest.mark.pipeline
@pytest.mark.slow
def test_one_flipped_byte_is_refused_before_anything_is_written(exported, tmp_path):
    _, archive = exported
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("d2_w32_bn0_relu/best.pt"))
    data[member.offset_data + member.size // 2] ^= 0x01
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(data))
    workdir = workdir_with(tmp_path / "work", small_config())
    done = restore(workdir, damaged)
    assert done.returncode == 1 and "d2_w32_bn0_relu/best.pt" in done.stderr and "damaged" in done.stderr
    assert sorted(p.name for p in workdir.iterdir()) == ["config.yaml"]


@pytest.mark.pipeline
@pytest.mark.slow
def test_a_bundle_from_other_code_or_settings_is_refused_named(exported, tmp_path):
    _, archive = exported

    def other_code(manifest):
        manifest["code"]["src/actstudy/training/trainer.py"] = "0" * 64
        return manifest

    other = rewritten(archive, tmp_path / "other.tar", edit=other_code)
    workdir = workdir_with(tmp_path / "work", small_config())
    done = restore(workdir, other)
    assert done.returncode == 1 and "code src/actstudy/training/trainer.py" in done.stderr
    assert not (workdir / "results").exists()
    config = small_config()
    config["training"]["epochs"] = 20
    settings = workdir_with(tmp_path / "settings", config)
    done = restore(settings, archive)
    assert (
        done.returncode == 1
        and "network digits/d2_w32_bn0_relu: training epochs 15 in the bundle, 20 here" in done.stderr
    ), done.stderr
    done = restore(workdir, other, "--accept-different-code")
    assert done.returncode == 0, done.stderr
    record = json.loads((workdir / RESTORED).read_text())
    assert record["accepted_differences"] == ["code src/actstudy/training/trainer.py: differs (SHA-256)"]


@pytest.mark.pipeline
@pytest.mark.slow
def test_a_partial_bundle_rebuilds_only_what_is_missing(exported, tmp_path):
    _, archive = exported
    gone = "d2_w32_bn1_sigmoid"

    def without_net(manifest):
        del manifest["networks"][f"digits/{gone}"]
        return manifest

    partial = rewritten(archive, tmp_path / "partial.tar", edit=without_net, keep=lambda path: gone not in path)
    workdir = workdir_with(tmp_path / "work", small_config())
    done = restore(workdir, partial)
    assert done.returncode == 0, done.stderr
    output = snakemake(
        workdir,
        "-n",
        "results/train/digits/d2_w32_bn1_sigmoid/selected.json",
        "results/train/digits/d2_w32_bn1_relu/selected.json",
    )
    assert planned(
        workdir, *[f"results/train/digits/{a}/selected.json" for a in ("d2_w32_bn1_sigmoid", "d2_w32_bn1_relu")]
    ) == {"train": 1, "select": 1}, output[-3000:]
    assert f"arch={gone}" in output


# -- the archive's own checks, on small hand-made bundles ----------------------------------


def hand_made(path: Path, members: dict[str, bytes], listed: dict[str, bytes] | None = None) -> Path:
    listed = members if listed is None else listed
    manifest = {
        "format": bundle.FORMAT,
        "code": {},
        "networks": {},
        "datasets": {},
        "files": [{"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for p, d in listed.items()],
    }
    with tarfile.open(path, "w") as tar:
        for name, data in {bundle.MANIFEST: json.dumps(manifest).encode(), **members}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_verify_accepts_a_whole_bundle_and_extract_writes_it(tmp_path):
    archive = hand_made(tmp_path / "b.tar", {"results/a.csv": b"x,y\n1,2\n", "results/t/b.json": b"{}"})
    manifest = bundle.verify(archive)
    assert bundle.extract(archive, tmp_path / "w", manifest) == ["results/a.csv", "results/t/b.json"]
    assert (tmp_path / "w/results/a.csv").read_bytes() == b"x,y\n1,2\n"


@pytest.mark.parametrize(
    "members, listed, message",
    [
        ({"results/a.csv": b"1"}, {"results/a.csv": b"2"}, "damaged"),
        ({"results/a.csv": b"1"}, {}, "not listed"),
        ({}, {"results/a.csv": b"1"}, "not in the archive"),
        ({"../evil.py": b"1"}, None, "outside results/"),
        ({"/etc/evil": b"1"}, None, "outside results/"),
        ({"code.py": b"1"}, None, "outside results/"),
    ],
)
def test_verify_refuses_what_the_manifest_does_not_vouch_for(tmp_path, members, listed, message):
    archive = hand_made(tmp_path / "b.tar", members, listed)
    with pytest.raises(bundle.BundleError, match=message):
        bundle.verify(archive)


def test_verify_refuses_links_and_archives_without_a_manifest(tmp_path):
    archive = tmp_path / "link.tar"
    hand_made(archive, {})
    with tarfile.open(archive, "a") as tar:
        link = tarfile.TarInfo("results/x")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    with pytest.raises(bundle.BundleError, match="not a plain file"):
        bundle.verify(archive)
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        tar.add(archive, arcname="results/x.tar")
    with pytest.raises(bundle.BundleError, match="not an actstudy bundle"):
        bundle.verify(plain)
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all" * 100)
    with pytest.raises(bundle.BundleError, match="not a readable tar"):
        bundle.verify(tmp_path / "junk.tar")


def test_differences_name_what_differs():
    recorded = {"digits/a": {"training": {"epochs": 15, "seeds": [0]}, "refine_rounds": 0}, "digits/b": {}}
    here = {"digits/a": {"training": {"epochs": 20, "seeds": [0]}, "refine_rounds": 0}, "digits/c": {}}
    assert bundle.differences(recorded, here, "network") == [
        "network digits/a: training epochs 15 in the bundle, 20 here",
        "network digits/b: in the bundle, not here",
    ]
    assert bundle.differences({"x.py": "a" * 64}, {"x.py": "b" * 64, "y.py": "c" * 64}, "code") == [
        "code x.py: differs (SHA-256)",
        "code y.py: here, not in the bundle",
    ]


def test_made_by_names_the_rule_and_wildcards():
    assert bundle.made_by("results/train/mnist/d4_w200_bn1_relu/best.pt") == {
        "rule": "train or merge_rounds",
        "wildcards": {"dataset": "mnist", "arch": "d4_w200_bn1_relu"},
    }
    assert bundle.made_by("results/train/mnist/d4_w200_bn1_relu/round2/plan.json")["rule"] == "plan_round"
    assert bundle.made_by("results/data/mnist.npz") == {"rule": "prepare", "wildcards": {"dataset": "mnist"}}
    with pytest.raises(bundle.BundleError):
        bundle.made_by("results/figures/fig3_4.png")
