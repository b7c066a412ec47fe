"""actstudy: why ReLU networks generalise better than sigmoid networks, reproduced.

One package per stage of the workflow's DAG, each importing only the stages below it
(``tests/test_layers.py`` checks it): ``core`` (shared by all), ``data``, ``training``,
``extraction``, ``metrics``, ``analysis``, ``study``, ``figures``. Above them, the modules here serve
the workflow as a whole: ``validation`` (the config checked before any job; it reads the
figure catalog), ``bundle`` and ``restore`` (restore instead of retrain).
"""

__version__ = "0.1.0"


def put_on_job_path(src) -> None:
    """Let the workflow's job processes import this package from ``src`` whatever
    environment they run in (the project's virtualenv, or a conda env made from
    envs/ that holds only the dependencies): prepend it to their PYTHONPATH."""
    import os

    current = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), current]))
