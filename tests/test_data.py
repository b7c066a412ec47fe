"""Data: checksummed download from a mirror, clear errors for damaged files, fixed splits."""

import gzip
import shutil

import numpy as np
import pytest
from conftest import SHARED

from actstudy.data.datasets import DataError
from actstudy.data.raw import download
from actstudy.data.raw_formats import read_idx
from actstudy.data.splits import load_splits, prepare, save_splits

MIRROR = SHARED / "datasets"
needs_mirror = pytest.mark.skipif(not (MIRROR / "mnist").is_dir(), reason="shared dataset mirror not present")


def write_idx(path, array, magic=None):
    header = bytes([0, 0, 8, array.ndim]) if magic is None else magic
    header += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.astype(np.uint8).tobytes())


def fake_mnist(folder, n_train=120, n_test=30, labels=None):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / "train-images-idx3-ubyte.gz", rng.integers(0, 255, (n_train, 28, 28)))
    write_idx(folder / "train-labels-idx1-ubyte.gz", labels if labels is not None else np.arange(n_train) % 10)
    write_idx(folder / "t10k-images-idx3-ubyte.gz", rng.integers(0, 255, (n_test, 28, 28)))
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(n_test) % 10)
    return folder


def test_read_idx_reads_what_was_written(tmp_path):
    array = np.arange(24).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz", 3), array)


def test_read_idx_names_a_truncated_file(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros((10, 28, 28)))
    data = gzip.open(tmp_path / "a.gz").read()
    with gzip.open(tmp_path / "b.gz", "wb") as handle:
        handle.write(data[:-100])
    with pytest.raises(DataError, match=r"b\.gz.*truncated"):
        read_idx(tmp_path / "b.gz", 3)
    (tmp_path / "c.gz").write_bytes((tmp_path / "a.gz").read_bytes()[:50])  # cut gzip stream
    with pytest.raises(DataError, match=r"c\.gz.*(damaged|truncated)"):
        read_idx(tmp_path / "c.gz", 3)


def test_read_idx_names_a_wrong_magic_number(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros((4, 2, 2)), magic=bytes([0, 0, 9, 3]))
    with pytest.raises(DataError, match=r"a\.gz: wrong magic number 00000903"):
        read_idx(tmp_path / "a.gz", 3)
    with pytest.raises(DataError, match="missing"):
        read_idx(tmp_path / "none.gz", 3)


def test_labels_out_of_range_are_refused(tmp_path):
    raw = fake_mnist(tmp_path / "raw", labels=np.full(120, 11))
    with pytest.raises(DataError, match="labels outside 0..9"):
        prepare("mnist", raw, 0)


def test_digits_split_is_fixed_stratified_and_recorded(tmp_path):
    splits = prepare("digits", None, split_seed=7)
    assert (len(splits.y_train), len(splits.y_val), len(splits.y_test)) == (1257, 180, 360)
    assert splits.x_train.dtype == np.uint8 and splits.x_train.shape[1] == 64 and splits.scale == 16
    assert np.bincount(splits.y_val).min() >= 17  # stratified: every class in validation
    save_splits(splits, tmp_path / "digits.npz")
    again = load_splits(tmp_path / "digits.npz")
    assert again.split_seed == 7
    np.testing.assert_array_equal(again.x_val, splits.x_val)
    other = prepare("digits", None, split_seed=8)
    np.testing.assert_array_equal(other.x_test, splits.x_test)  # test set never moves
    assert not np.array_equal(other.y_val, splits.y_val)


@needs_mirror
@pytest.mark.parametrize("as_url", [False, True])
def test_mnist_from_mirror_is_verified_and_split_as_the_study(tmp_path, as_url):
    mirror = MIRROR.as_uri() if as_url else str(MIRROR)
    manifest = download("mnist", tmp_path / "raw", mirror=mirror)
    assert manifest["files"]["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert not manifest["partial"]
    splits = prepare("mnist", tmp_path / "raw", split_seed=0)
    assert (len(splits.y_train), len(splits.y_val), len(splits.y_test)) == (55000, 5000, 10000)
    assert splits.x_train.shape[1] == 784 and splits.x_train.max() == 255


@needs_mirror
def test_checksum_failure_names_the_file(tmp_path):
    bad = tmp_path / "mirror" / "fashion-mnist"
    shutil.copytree(MIRROR / "fashion-mnist", bad)
    target = bad / "train-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz with md5 25c81989df183df01b3e8a0aad5dffbe"):
        download("fmnist", tmp_path / "raw", mirror=str(tmp_path / "mirror"))
    assert not (tmp_path / "raw" / "train-labels-idx1-ubyte.gz").exists()


def test_mirror_without_the_dataset_is_an_error(tmp_path):
    with pytest.raises(DataError, match="none of the folders"):
        download("mnist", tmp_path / "raw", mirror=str(tmp_path))
    with pytest.raises(DataError, match="not a folder"):
        download("mnist", tmp_path / "raw", mirror=str(tmp_path / "nowhere"))


@needs_mirror
def test_partial_cifar10_needs_consent_and_keeps_the_validation_fraction(tmp_path):
    with pytest.raises(DataError, match="data_batch_2: missing"):
        download("cifar10", tmp_path / "raw", mirror=str(MIRROR))
    manifest = download("cifar10", tmp_path / "raw", mirror=str(MIRROR), allow_partial=True)
    assert manifest["partial"]
    splits = prepare("cifar10", tmp_path / "raw", split_seed=0)
    assert (len(splits.y_train), len(splits.y_val), len(splits.y_test)) == (3600, 400, 1000)
    assert splits.x_train.shape[1] == 3072


class _Exploit:
    """Unpickling this calls os.system: what a crafted batch in a mirror would do."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch {self.marker}",))


def cifar_folder(tmp_path, batch) -> object:
    import pickle

    folder = tmp_path / "raw" / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    good = {b"batch_label": b"x", b"labels": [i % 10 for i in range(20)], b"data": np.zeros((20, 3072), dtype=np.uint8)}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(pickle.dumps(good, protocol=4))
    (folder / "data_batch_3").write_bytes(pickle.dumps(batch, protocol=4))
    return folder


@pytest.mark.parametrize("payload", ["whole", "inside"])
def test_a_crafted_cifar_batch_runs_no_code_and_is_named(tmp_path, payload):
    from actstudy.data.raw import load_raw

    marker = tmp_path / "exploited"
    batch = (
        _Exploit(marker)
        if payload == "whole"
        else {b"data": np.zeros((2, 3072), np.uint8), b"labels": [_Exploit(marker)]}
    )
    cifar_folder(tmp_path, batch)
    with pytest.raises(DataError, match=r"data_batch_3: not a CIFAR-10 batch \(refused to load posix.system"):
        load_raw("cifar10", tmp_path / "raw")
    assert not marker.exists()


def test_official_shaped_cifar_batches_still_load(tmp_path):
    from actstudy.data.raw import load_raw

    cifar_folder(tmp_path, {b"data": np.ones((20, 3072), np.uint8), b"labels": list(range(10)) * 2})
    x_train, y_train, x_test, y_test = load_raw("cifar10", tmp_path / "raw")
    assert x_train.shape == (100, 3072) and x_test.shape == (20, 3072) and x_train[40:60].min() == 1


@needs_mirror
def test_the_real_cifar_batches_pass_the_restricted_unpickler(tmp_path):
    from actstudy.data.raw_formats import load_cifar_batch

    batch = load_cifar_batch(MIRROR / "cifar-10-subset/cifar-10-batches-py/test_batch")
    assert batch[b"data"].shape == (1000, 3072) and len(batch[b"labels"]) == 1000


def test_a_raw_file_swapped_after_download_is_named(tmp_path):
    import json

    from actstudy.data.raw import verify_raw

    raw = tmp_path / "raw"
    fake_mnist(raw)
    from torchvision.datasets.utils import calculate_md5

    files = {p.name: calculate_md5(str(p)) for p in raw.iterdir()}
    (raw / "manifest.json").write_text(json.dumps({"dataset": "mnist", "files": files}))
    verify_raw("mnist", raw)  # as downloaded: fine
    prepare("mnist", raw, split_seed=0)
    fake_mnist(tmp_path / "other", n_train=130)  # another dataset's file of the same name
    shutil.copy(tmp_path / "other/train-images-idx3-ubyte.gz", raw / "train-images-idx3-ubyte.gz")
    with pytest.raises(
        DataError, match=r"train-images-idx3-ubyte.gz: changed since it was downloaded.*--forcerun download"
    ):
        prepare("mnist", raw, split_seed=0)


@needs_mirror
@pytest.mark.parametrize("as_url", [False, True])
def test_a_mirror_path_with_spaces_and_accents_works(tmp_path, as_url):
    mirror = tmp_path / "my mirror ü é"
    mirror.mkdir()
    (mirror / "mnist").symlink_to(MIRROR / "mnist")
    given = mirror.as_uri() if as_url else str(mirror)
    manifest = download("mnist", tmp_path / "raw", mirror=given)
    assert len(manifest["files"]) == 4 and manifest["source"].startswith("file://")


def test_an_unknown_dataset_is_never_downloaded_as_another(tmp_path):
    for name in ("digits", "cifar100"):
        with pytest.raises(
            DataError, match=f"'{name}' is not a downloaded dataset \\(downloaded: mnist, fmnist, cifar10\\)"
        ):
            download(name, tmp_path / name)


@needs_mirror
@pytest.mark.slow
@pytest.mark.pipeline
def test_a_second_run_after_the_first_download_prepares_nothing_again(tmp_path):
    """prepare's inputs are the files the download's manifest lists: the same set on the
    first run (the download is a checkpoint) as on the next, so the next plans nothing
    (a different set reran prepare, and every training job after it)."""
    import yaml
    from conftest import REPO, snakemake

    config = yaml.safe_load((REPO / "config.yaml").read_text())
    config["data"]["mirror"] = str(MIRROR)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    snakemake(tmp_path, "--cores", "2", "results/data/mnist.npz")
    again = snakemake(tmp_path, "-n", "results/data/mnist.npz")
    assert "Nothing to be done" in again, again[-2000:]
