"""reproduction/readings.py --tables-only: Tables 5.1/5.2 of several readings side by
side, cell by cell, beside the run's own tables."""

import importlib.util

from conftest import REPO

spec = importlib.util.spec_from_file_location("readings", REPO / "reproduction/readings.py")
readings = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readings)


def write_tables(folder, dead: str, sparsity: list[str]) -> None:
    folder.mkdir(parents=True)
    (folder / "table5_1.csv").write_text(f'depth,"ReLU, BN"\n4,{dead}\n')
    rows = "".join(f"4,{layer},{value}\n" for layer, value in enumerate(sparsity, start=1))
    (folder / "table5_2.csv").write_text('depth,layer,"ReLU, BN"\n' + rows)


def test_every_cell_of_each_reading_sits_beside_the_default(tmp_path):
    write_tables(tmp_path / "run/tables", "18.83 ± 0.46", ["65.38 ± 0.59", "63.60 ± 0.57"])
    write_tables(tmp_path / "dest/readings/z_before_batch_norm", "2.50 ± 0.10", ["55.00 ± 1.00", "54.00 ± 1.00"])
    table = readings.summarise_tables(tmp_path / "run", tmp_path / "dest", ["z_before_batch_norm"])
    assert list(table.columns) == ["table", "depth", "layer", "network", "default", "z_before_batch_norm"]
    dead = table[table["table"] == "table5_1"].iloc[0]
    assert (dead["default"], dead["z_before_batch_norm"]) == ("18.83 ± 0.46", "2.50 ± 0.10")
    layer2 = table[(table["table"] == "table5_2") & (table["layer"] == 2)].iloc[0]
    assert (layer2["default"], layer2["z_before_batch_norm"]) == ("63.60 ± 0.57", "54.00 ± 1.00")
    assert (tmp_path / "dest/readings/tables.md").read_text().count("\n") == 2 + 3  # header, rule, 3 cells
