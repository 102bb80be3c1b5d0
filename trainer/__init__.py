"""The Stepwise trainer: synthetic data, the three fine-tuning phases of Liu et al. 2023, evaluation."""
