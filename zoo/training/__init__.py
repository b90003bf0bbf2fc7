"""What `fit` needs beyond Keras."""

from zoo.training.time_budget import StopAfter, measure_steps_per_second
