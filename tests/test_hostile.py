"""Damaged files the workflow wrote (results/ is untrusted data): every reader names the
file, what is wrong with it and the command that rebuilds it, and deletes nothing."""

import numpy as np
import pandas as pd
import pytest
import torch

from actstudy.core.config import Architecture
from actstudy.core.io import DamagedFileError, read_csv, read_json, rebuild_command
from actstudy.data.splits import load_splits, save_splits
from actstudy.extraction.extract import write_activations
from actstudy.extraction.zparquet import layers_in, network_accuracy, read_layer
from actstudy.training.models import reference_mlp
from actstudy.training.results import load_arch_results
from actstudy.training.states import load_states, save_states


def plan(workdir, *args):
    """A Snakemake dry run of the real Snakefile in ``workdir`` (targets before options)."""
    import subprocess
    import sys

    from conftest import REPO

    command = [
        sys.executable,
        "-m",
        "snakemake",
        *args,
        "-n",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=3600)


def results_path(tmp_path, relative):
    path = tmp_path / "results" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize(
    "relative",
    [
        "data/mnist.npz",
        "data/raw/mnist/manifest.json",
        "train/mnist/d4_w200_bn0_relu/best.pt",
        "train/mnist/d4_w200_bn0_relu/history.csv",
        "train/mnist/d4_w200_bn0_relu/selected.json",
        "z/mnist/d4_w200_bn0_relu/seed0/best_train.parquet",
        "metrics/mnist/d4_w200_bn0_relu/seed0/best_layers.csv",
        "metrics/mnist/d4_w200_bn0_relu/seed0/best_classifiers.csv",
    ],
)
def test_every_results_file_has_a_command_that_writes_it_again(relative):
    assert rebuild_command(f"/anywhere/results/{relative}") == f"snakemake --force results/{relative}"


def test_a_raw_file_is_written_again_with_its_manifest():
    assert rebuild_command("results/data/raw/mnist/t10k-images-idx3-ubyte.gz") == (
        "snakemake --force results/data/raw/mnist/manifest.json"
    )


def test_truncated_prepared_dataset_is_named_and_kept(tmp_path, tiny_splits):
    path = results_path(tmp_path, "data/mnist.npz")
    save_splits(tiny_splits, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(
        DamagedFileError, match=r"mnist.npz: cannot be read as a prepared dataset .*--force results/data/mnist.npz"
    ):
        load_splits(path)
    assert path.stat().st_size == len(data) // 3  # nothing deleted


def test_a_pickled_npz_is_refused_not_run(tmp_path):
    path = results_path(tmp_path, "data/mnist.npz")
    np.savez(path, x_train=np.array([object()], dtype=object))
    with pytest.raises(DamagedFileError, match="Object arrays cannot be loaded"):
        load_splits(path)


@pytest.fixture
def activations(tmp_path):
    arch = Architecture("x", 2, 6, False, "relu")
    model = reference_mlp(arch, 5, 10, torch.Generator().manual_seed(0))
    path = results_path(tmp_path, "z/x/d2_w6_bn0_relu/seed0/best_train.parquet")
    rng = np.random.default_rng(0)
    write_activations(model, rng.integers(0, 10, (300, 5)), rng.integers(0, 10, 300), 10.0, path)
    return path


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_parquet_is_named_by_every_reader(activations, damage):
    data = activations.read_bytes()
    activations.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"x" * 500, "empty": b""}[damage])
    for read in (lambda p: read_layer(p, 1), layers_in, network_accuracy):
        with pytest.raises(
            DamagedFileError, match=r"best_train.parquet: cannot be read as Parquet activations.*--force results/z/"
        ):
            read(activations)


def test_a_layer_the_file_does_not_hold_is_named(activations):
    assert read_layer(activations, 2)[0].shape == (300, 6)
    with pytest.raises(DamagedFileError, match="no columns of hidden layer 7"):
        read_layer(activations, 7)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")  # torch on the foreign pickle: expected
def test_damaged_or_foreign_parameters_are_named(tmp_path):
    path = results_path(tmp_path, "train/x/d2_w6_bn0_relu/best.pt")
    torch.save([torch.ones(2)], path)  # a list, not {run id: state_dict}
    with pytest.raises(DamagedFileError, match=r"not a \{run id: state_dict\} mapping.*--force results/train/"):
        load_states(path)
    path.write_bytes(b"\x80\x04garbage")
    with pytest.raises(DamagedFileError, match="cannot be read as saved network states"):
        load_states(path)


def test_a_pickle_posing_as_parameters_runs_no_code(tmp_path):
    import os
    import pickle

    marker = tmp_path / "exploited"

    class Exploit:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    path = results_path(tmp_path, "train/x/d2_w6_bn0_relu/best.pt")
    torch.save({"lr0.01_s0": Exploit()}, path, pickle_module=pickle)
    with pytest.raises(DamagedFileError, match="saved network states"):
        load_states(path)
    assert not marker.exists()


@pytest.mark.parametrize("content", ["", "run,epoch\n", "\x00\x01\x02binary", "run,test_acc\na,0.5\n"])
def test_damaged_history_and_summary_are_named(tmp_path, content):
    folder = tmp_path / "results/train/x/d2_w6_bn0_relu"
    folder.mkdir(parents=True)
    row = {
        "run": ["a"],
        "learning_rate": [0.01],
        "seed": [0],
        "diverged": [False],
        "train_acc": [0.5],
        "val_acc": [0.5],
    }
    pd.DataFrame({**row, "epoch": [1], "train_loss": [1.0]}).to_csv(folder / "history.csv")
    pd.DataFrame({**row, "test_acc": [0.5]}).to_csv(folder / "summary.csv")
    (folder / "selected.json").write_text('{"runs": ["a"], "learning_rate": 0.01}')
    (folder / "summary.csv").write_text(content)
    arch = Architecture("x", 2, 6, False, "relu")
    with pytest.raises(
        DamagedFileError, match=r"summary.csv: cannot be read as a training summary.*--force results/train/"
    ):
        load_arch_results(arch, folder / "history.csv", folder / "summary.csv", folder / "selected.json")


def test_damaged_json_and_a_missing_file_are_named(tmp_path):
    path = results_path(tmp_path, "train/x/d2_w6_bn0_relu/selected.json")
    path.write_text('{"runs": [')
    with pytest.raises(DamagedFileError, match=r"selected.json: cannot be read as JSON.*--force results/train/"):
        read_json(path)
    with pytest.raises(
        DamagedFileError, match=r"best_layers.csv: missing; build it with: snakemake --force results/metrics/"
    ):
        read_csv(tmp_path / "results/metrics/x/d2_w6_bn0_relu/seed0/best_layers.csv")


@pytest.mark.parametrize("content", ['{"learning_rate": 0.01}', "[1, 2]"])
def test_a_selection_without_its_keys_is_named(tmp_path, content):
    from actstudy.core.io import read_selection

    path = results_path(tmp_path, "train/x/d2_w6_bn0_relu/selected.json")
    path.write_text(content)
    with pytest.raises(
        DamagedFileError,
        match=r"selected.json: cannot be read as JSON \(ValueError: keys .*'runs'.* missing\).*--force results/train/",
    ):
        read_selection(path)


def test_every_table_a_job_reads_is_checked_for_its_columns(tmp_path):
    """A metrics table with other columns (here one written by other code) is named with
    its rebuild command, for each kind of table the workflow reads."""
    from actstudy.core.formats import COLUMNS
    from actstudy.core.io import read_table

    for kind in COLUMNS:
        path = results_path(tmp_path, f"metrics/x/d2_w6_bn0_relu/seed0/best_{kind}.csv")
        path.write_text("a,b\n1,2\n")
        with pytest.raises(DamagedFileError, match=rf"best_{kind}.csv: cannot be read as .*columns .* missing"):
            read_table(path, kind)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KiB file system (tmpfs), mounted for the test; skipped where mounting is not allowed."""
    import os
    import subprocess

    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_names_the_file_and_the_disk_and_leaves_nothing(tiny_disk):
    target = tiny_disk / "results/train/x/d2_w6_bn0_relu/best.pt"
    with pytest.raises(
        OSError, match=rf"no space left writing {target}: the disk mounted at {tiny_disk} has \d+ bytes free"
    ):
        save_states({"run": {"w": torch.ones(200_000)}}, target)
    assert list(target.parent.iterdir()) == []  # no partial file, no temporary
    from actstudy.core.io import write_csv

    with pytest.raises(OSError, match="no space left writing"):
        write_csv(pd.DataFrame({"x": np.arange(200_000)}), tiny_disk / "results/big.csv")
    assert not (tiny_disk / "results/big.csv").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("x_train", lambda x: x.astype(np.float64), "features float64 / labels int64, expected uint8 / int64"),
        ("x_val", lambda x: x[:, :3], "val: features"),
        ("y_test", lambda y: y[:-1], "test: features"),
        ("y_train", lambda y: y + 10, "train: labels outside 0..9"),
        ("scale", lambda s: np.array(0.0), "scale 0.0 is not a positive number"),
    ],
)
def test_a_valid_npz_with_wrong_contents_is_named(tmp_path, tiny_splits, field, value, message):
    path = results_path(tmp_path, "data/mnist.npz")
    save_splits(tiny_splits, path)
    with np.load(path) as arrays:
        fields = {k: arrays[k] for k in arrays.files}
    fields[field] = value(fields[field])
    np.savez(path, **fields)
    with pytest.raises(DamagedFileError, match=rf"mnist.npz: cannot be read as a prepared dataset .*{message}"):
        load_splits(path, n_classes=10)


def test_two_config_files_merge_and_a_bad_second_one_is_named(tmp_path):
    """Two --configfile at once: the second overrides the first key by key, and its error
    is found as if it were the only one."""
    from conftest import REPO

    bad = tmp_path / "second.yaml"
    bad.write_text("training:\n  epochs: 0\n")
    done = plan(tmp_path, "--configfile", str(REPO / "config/paper.yaml"), str(bad))
    assert done.returncode != 0
    assert "training.epochs: 0 is less than the minimum of 1" in done.stdout + done.stderr


def test_a_symlink_out_of_the_mirror_is_followed_only_to_a_checked_file(tmp_path):
    """A mirror entry that points anywhere is just bytes to us: the md5 decides."""
    from actstudy.data.datasets import DataError
    from actstudy.data.raw import download

    mirror = tmp_path / "mirror" / "mnist"
    mirror.mkdir(parents=True)
    secret = tmp_path / "elsewhere.txt"
    secret.write_text("not MNIST")
    for name in (
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ):
        (mirror / name).symlink_to(secret)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz.*md5 mismatch"):
        download("mnist", tmp_path / "raw", mirror=str(tmp_path / "mirror"))
    assert not (tmp_path / "raw" / "train-images-idx3-ubyte.gz").exists()  # nothing kept


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../../outside.gz": "0" * 32}, "not a file inside its own folder"),
        ({"/etc/passwd": "0" * 32}, "not a file inside its own folder"),
        ({"sub/../../x": "0" * 32}, "not a file inside its own folder"),
        (["train-images-idx3-ubyte.gz"], "not a mapping"),
        ({"train-images-idx3-ubyte.gz": 5}, "not a mapping"),
    ],
)
def test_a_manifest_pointing_outside_its_folder_is_refused(tmp_path, files, message):
    """The download manifest is data: it can name files only inside its own folder."""
    import json

    from actstudy.data.datasets import DataError
    from actstudy.data.raw import recorded_files

    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"dataset": "mnist", "files": files}))
    with pytest.raises(DataError, match=rf"manifest.json: .*{message}.*--forcerun download"):
        recorded_files(manifest)


def test_a_manifest_lists_nested_files_and_not_itself(tmp_path):
    import json

    from actstudy.data.raw import recorded_files

    manifest = tmp_path / "manifest.json"
    (tmp_path / "cifar-10-batches-py").mkdir()
    (tmp_path / "cifar-10-batches-py/data_batch_1").write_bytes(b"batch")
    files = {"cifar-10-batches-py/data_batch_1": "a" * 32, "manifest.json": "b" * 32}
    manifest.write_text(json.dumps({"dataset": "cifar10", "files": files}))
    assert recorded_files(manifest) == {tmp_path / "cifar-10-batches-py/data_batch_1": "a" * 32}


def test_a_raw_file_deleted_after_download_is_named(tmp_path):
    import json

    from actstudy.data.datasets import DataError
    from actstudy.data.raw import verify_raw

    (tmp_path / "manifest.json").write_text(json.dumps({"files": {"train-images-idx3-ubyte.gz": "0" * 32}}))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: missing.*--forcerun download"):
        verify_raw("mnist", tmp_path)


def _dry_run(workdir, *targets):
    from conftest import REPO

    return plan(workdir, *targets, "--configfile", str(REPO / "config.yaml"))


@pytest.mark.slow  # three Snakemake plans
def test_raw_files_are_inputs_a_changed_one_reruns_prepare_a_missing_one_is_named(tmp_path):
    """Raw files are declared inputs of prepare (read from the download's manifest): one
    touched after the prepared arrays reruns prepare; one deleted stops the plan with
    the command that fetches it again."""
    import json
    import os
    import time

    raw = tmp_path / "results/data/raw/mnist"
    raw.mkdir(parents=True)
    names = [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]
    for name in names:
        (raw / name).write_bytes(b"raw")
    (raw / "manifest.json").write_text(json.dumps({"dataset": "mnist", "files": dict.fromkeys(names, "0" * 32)}))
    prepared = tmp_path / "results/data/mnist.npz"
    prepared.write_bytes(b"prepared")
    # newer than the workflow's code (an output older than its rule's code is rerun), the
    # prepared file newest
    base = time.time() + 1000
    for i, path in enumerate([*(raw / n for n in names), raw / "manifest.json", prepared]):
        os.utime(path, (base + i, base + i))
    done = _dry_run(tmp_path, "results/data/mnist.npz")
    assert done.returncode == 0 and "Nothing to be done" in done.stdout + done.stderr, done.stdout[-2000:]
    os.utime(raw / names[0], (base + 100, base + 100))  # a raw file changed since
    done = _dry_run(tmp_path, "results/data/mnist.npz")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "rule prepare" in done.stdout and names[0] in done.stdout
    (raw / names[1]).unlink()
    done = _dry_run(tmp_path, "results/data/mnist.npz")
    assert done.returncode != 0
    assert f"{names[1]}: missing, though the download recorded it" in done.stdout + done.stderr
    assert "snakemake results/data/raw/mnist/manifest.json --forcerun download" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "training:\n  epochs: 3\n  seeds: [0, 1\nfoo: bar\n",
            "line 4, column 4: expected ',' or ']', but got ':' (while parsing a flow sequence opened at line 3, column 10)",
        ),
        ("training:\n\tepochs: 3\n", "line 2, column 1: found character '\\t' that cannot start any token"),
    ],
)
def test_a_yaml_syntax_error_in_the_config_names_its_line(tmp_path, text, message):
    (tmp_path / "config.yaml").write_text(text)
    done = plan(tmp_path)
    assert done.returncode != 0
    assert f"config.yaml: YAML syntax error at {message}" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"training:\n  epochs: 3\nanalysis: {}\ntraining:\n  epochs: 5\n",
            "config.yaml: key 'training' is given twice (lines 1 and 4); YAML would keep the last one silently",
        ),
        (b"training:\n  epochs: 3\n  seeds: [0]\n  epochs: 30\n", "key 'epochs' is given twice (lines 2 and 4)"),
        (b"", "config.yaml: the config file is empty"),
        (b"  \n\n", "config.yaml: the config file is empty"),
        (b"training:\n  note: caf\xe9\n", "config.yaml: not UTF-8 text (byte 21 is 0xe9)"),
    ],
)
def test_a_config_file_with_a_key_twice_or_no_text_is_named(tmp_path, content, message):
    (tmp_path / "config.yaml").write_bytes(content)
    done = plan(tmp_path)
    assert done.returncode != 0
    assert message in done.stdout + done.stderr


def test_a_key_given_twice_in_a_configfile_on_the_command_line_is_named(tmp_path):
    """Snakemake reads --configfile files before the Snakefile and keeps the last of two
    keys silently; the workflow then refuses the file, named."""
    from conftest import REPO

    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    override = tmp_path / "override.yaml"
    override.write_text("training:\n  epochs: 3\ntraining:\n  epochs: 5\n")
    done = plan(tmp_path, "--configfile", str(override))
    assert done.returncode != 0
    assert f"{override}: key 'training' is given twice (lines 1 and 3)" in done.stdout + done.stderr


def test_a_mirror_entry_that_is_a_folder_is_named(tmp_path):
    from actstudy.data.datasets import DataError
    from actstudy.data.raw import download

    (tmp_path / "mirror/mnist/train-images-idx3-ubyte.gz").mkdir(parents=True)
    with pytest.raises(DataError, match=r"mirror/mnist/train-images-idx3-ubyte.gz: \[Errno 21\] Is a directory"):
        download("mnist", tmp_path / "raw", mirror=str(tmp_path / "mirror"))
    assert not (tmp_path / "raw/train-images-idx3-ubyte.gz").exists()


def test_an_unreadable_mirror_file_is_named(tmp_path, monkeypatch):
    """Root reads any file whatever its mode, so the refusal is the operating system's
    answer given directly: the file and the reason reach the user."""
    import shutil

    from actstudy.data.datasets import DataError
    from actstudy.data.raw import download

    (tmp_path / "mirror/mnist").mkdir(parents=True)
    (tmp_path / "mirror/mnist/train-images-idx3-ubyte.gz").write_bytes(b"x")

    def refuse(source, target):
        raise PermissionError(13, "Permission denied", str(source))

    monkeypatch.setattr(shutil, "copyfile", refuse)
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte.gz: \[Errno 13\] Permission denied"):
        download("mnist", tmp_path / "raw", mirror=str(tmp_path / "mirror"))


def test_a_read_only_mirror_is_only_read(tmp_path):
    """Nothing is written into a mirror (it may be a read-only share): its files and
    their times are the same after a download and a prepare."""
    import shutil

    from conftest import SHARED

    from actstudy.data.raw import download
    from actstudy.data.splits import prepare

    shared = SHARED / "datasets" / "mnist"
    if not shared.is_dir():
        pytest.skip("shared dataset mirror not present")

    mirror = tmp_path / "mirror"
    shutil.copytree(shared, mirror / "mnist")
    before = {p: p.stat().st_mtime_ns for p in mirror.rglob("*")}
    for path in [mirror, mirror / "mnist", *mirror.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    download("mnist", tmp_path / "raw", mirror=str(mirror))
    prepare("mnist", tmp_path / "raw", split_seed=0)
    assert {p: p.stat().st_mtime_ns for p in mirror.rglob("*")} == before
