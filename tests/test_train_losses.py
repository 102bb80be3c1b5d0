"""Each training loss on hand-made tensors, packing against unpacked forward passes, the LR schedule.

Run: python -m pytest tests/test_train_losses.py -q
"""

import math

import pytest
import torch

from trainer.config import TrainConfig
from trainer.engine import lr_multiplier
from trainer.evaluator import log_probs_of_verdicts, log_s_cls, margin_loss, split_pairs, xent_loss
from trainer.multitask import ctr_loss, seq_contrastive_loss, sequence_log_likelihoods
from trainer.packing import IGNORE_INDEX, Example, pack, solver_example
from trainer.ssft import forward_logits, mle_loss


def test_mle_loss_is_mean_cross_entropy_over_target_tokens_only():
    logits = torch.zeros(1, 3, 4)  # uniform: every target costs log 4
    logits[0, 2, 1] = 100.0  # a confident position that is masked out must not count
    labels = torch.tensor([[0, 3, IGNORE_INDEX]])
    assert mle_loss(logits, labels).item() == pytest.approx(math.log(4))
    logits[0, 0, 0] = 100.0  # now position 0 is certain of its label: mean of 0 and log 4
    assert mle_loss(logits, labels).item() == pytest.approx(math.log(4) / 2, abs=1e-5)


def test_xent_loss_picks_the_log_probability_of_the_true_verdict():
    lpc = torch.log(torch.tensor([0.8, 0.3]))
    lpi = torch.log(torch.tensor([0.1, 0.6]))
    label = torch.tensor([1.0, 0.0])
    expected = (-math.log(0.8) - math.log(0.6)) / 2
    assert xent_loss(lpc, lpi, label).item() == pytest.approx(expected)


def test_s_cls_renormalises_the_two_verdicts():
    assert log_s_cls(torch.log(torch.tensor(0.6)), torch.log(torch.tensor(0.2))).exp().item() == pytest.approx(0.75)


def test_margin_loss_is_zero_beyond_the_margin_and_linear_inside_it():
    pos, neg = torch.log(torch.tensor([0.9, 0.5])), torch.log(torch.tensor([0.2, 0.5]))
    # pair 0: log .2 - log .9 + 1 = -0.504 -> 0; pair 1: 0 + 1 = 1
    assert margin_loss(pos, neg, 1.0).item() == pytest.approx(0.5)
    assert margin_loss(pos, neg, 0.0).item() == pytest.approx(0.0)
    assert margin_loss(pos, neg, 2.0).item() == pytest.approx((math.log(0.2) - math.log(0.9) + 2 + 2) / 2)


def test_seq_contrastive_and_ctr_losses():
    pos, neg = torch.tensor([-1.0, -2.0]), torch.tensor([-3.0, -1.5])
    # pair 0: -3 + 1 + 1 = -1 -> 0; pair 1: -1.5 + 2 + 1 = 1.5
    assert seq_contrastive_loss(pos, neg, 1.0).item() == pytest.approx(0.75)
    assert ctr_loss(pos, neg, torch.tensor(2.0), alpha=0.5, margin=1.0).item() == pytest.approx(0.75 + 1.0)


def test_sequence_log_likelihoods_sum_or_average_per_segment():
    logits = torch.zeros(1, 4, 2)
    logits[0, :, 0] = math.log(3.0)  # p(token 0) = 3/4, p(token 1) = 1/4 at every position
    labels = torch.tensor([[0, 1, IGNORE_INDEX, 0]])
    segments = torch.tensor([[0, 0, -1, 1]])
    total = sequence_log_likelihoods(logits, labels, segments, 2, length_normalised=False)
    mean = sequence_log_likelihoods(logits, labels, segments, 2, length_normalised=True)
    assert total.tolist() == pytest.approx([math.log(0.75) + math.log(0.25), math.log(0.75)])
    assert mean.tolist() == pytest.approx([(math.log(0.75) + math.log(0.25)) / 2, math.log(0.75)])


def test_verdict_readout_and_pair_alignment():
    logits = torch.zeros(2, 3, 5)
    logits[1, 2, 3] = math.log(4.0)  # row 1, col 2: token 3 four times as likely as each of the other four
    lpc, lpi = log_probs_of_verdicts(logits, torch.tensor([[1, 2], [0, 0]]), correct_id=3, incorrect_id=4)
    assert lpc.exp().tolist() == pytest.approx([0.5, 0.2])
    assert lpi.exp().tolist() == pytest.approx([0.125, 0.2])
    values = torch.tensor([10.0, 20.0, 11.0, 21.0])
    pos, neg = split_pairs(values, label=torch.tensor([0.0, 1.0, 1.0, 0.0]), pair=torch.tensor([7.0, 3.0, 7.0, 3.0]))
    assert pos.tolist() == [20.0, 11.0] and neg.tolist() == [21.0, 10.0]  # pairs 3 then 7


def test_packed_rows_compute_the_same_logits_as_separate_sequences():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                         num_attention_heads=2, num_key_value_heads=2)).eval()
    examples = [solver_example([1, 5, 6], [7, 8, 2]), solver_example([1, 9], [10, 11, 12, 2]),
                solver_example([1, 13, 14, 15], [16, 2])]
    (batch,) = pack([[e] for e in examples], max_seq_len=32, tokens_per_batch=32)
    assert batch.input_ids.shape == (1, 18) and batch.n_tokens == 18  # one row, no padding
    with torch.no_grad():
        packed = forward_logits(model, batch)
        for i, example in enumerate(examples):
            row, last = batch.last_positions[i].tolist()
            n = len(example.input_ids)
            alone = model(input_ids=torch.tensor([example.input_ids])).logits[0]
            torch.testing.assert_close(packed[row, last - n + 1 : last + 1], alone, atol=1e-4, rtol=1e-4)
    # labels: prompt-masked, shifted, and never crossing into the next example
    assert batch.labels[0, :6].tolist() == [IGNORE_INDEX, IGNORE_INDEX, 7, 8, 2, IGNORE_INDEX]


def test_pack_keeps_groups_in_one_batch_and_respects_the_row_length():
    groups = [[Example([1] * 20, [True] * 20, {"pair": float(i)}), Example([2] * 20, [True] * 20, {"pair": float(i)})]
              for i in range(5)]
    batches = pack(groups, max_seq_len=50, tokens_per_batch=100)
    for batch in batches:
        assert batch.input_ids.shape[1] <= 50
        pairs = batch.meta["pair"].tolist()
        assert all(pairs.count(p) == 2 for p in pairs)
    assert sum(b.n_examples for b in batches) == 10


def test_lr_schedule_warms_up_then_decays_to_the_floor():
    config = TrainConfig(steps=100, warmup_steps=10, min_lr_ratio=0.1)
    assert lr_multiplier(0, config) == pytest.approx(0.1)
    assert lr_multiplier(9, config) == pytest.approx(1.0)
    assert lr_multiplier(10, config) == pytest.approx(1.0)
    assert lr_multiplier(55, config) == pytest.approx(0.55)
    assert lr_multiplier(100, config) == pytest.approx(0.1)
