"""Datasets for Backprop Playground: 2-D generators, the MNIST subset and uploaded CSVs.

Imports numpy, scikit-learn and the standard library only.
"""

from app.data.csv_upload import parse_csv
from app.data.dataset import Dataset, stratified_split
from app.data.errors import DataError
from app.data.features import DEFAULT_FEATURES, FEATURES
from app.data.mnist import idx_dataset, load_idx_folder, load_mnist
from app.data.registry import (
    DATASETS,
    N_SAMPLES_RANGE,
    NOISE_RANGE,
    SEED_RANGE,
    TRAIN_FRACTION_RANGE,
    DatasetSpec,
    build_dataset,
)

__all__ = [
    "DATASETS",
    "DEFAULT_FEATURES",
    "FEATURES",
    "N_SAMPLES_RANGE",
    "NOISE_RANGE",
    "SEED_RANGE",
    "TRAIN_FRACTION_RANGE",
    "DataError",
    "Dataset",
    "DatasetSpec",
    "build_dataset",
    "idx_dataset",
    "load_idx_folder",
    "load_mnist",
    "parse_csv",
    "stratified_split",
]
