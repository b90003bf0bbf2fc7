"""What `fit` needs beyond Keras."""

from zoo.training.time_budget import StopAfter, measure_steps_per_second
from zoo.training.adversarial import (
    AdversarialOptimizer,
    AdversarialTrainer,
    adversarial_train_step,
)
from zoo.training.data_parallel import (
    data_parallel,
    process_batch_size,
    process_count,
    process_index,
)
from zoo.training.ema import GeneratorEMA
from zoo.training.sample_grid import SampleGrid, image_grid
