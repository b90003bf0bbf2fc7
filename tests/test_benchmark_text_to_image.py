"""benchmarks/text_to_image.py: a `--presets` rerun merges into the results."""

import importlib.util


def test_text_to_image_benchmark_rerun_keeps_the_other_presets(repo_root):
    spec = importlib.util.spec_from_file_location(
        "t2i_benchmark", repo_root / "benchmarks" / "text_to_image.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    run = {"date": "d1", "machine": "m", "backend": "tensorflow", "presets": {"a": 1, "b": 2}}
    rerun = {"date": "d2", "machine": "m2", "backend": "jax", "presets": {"b": 3}}
    merged = module.merge_rerun(run, rerun)
    assert merged["presets"] == {"a": 1, "b": 3} and merged["date"] == "d1"
    assert merged["reruns"] == [{"date": "d2", "machine": "m2", "backend": "jax", "presets": ["b"]}]
    again = module.merge_rerun(merged, {**rerun, "date": "d3"})
    assert [r["date"] for r in again["reruns"]] == ["d3"]
