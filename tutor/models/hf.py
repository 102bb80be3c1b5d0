"""The transformers backend: an HF model folder (config.json + safetensors + tokenizer) on CUDA or CPU.

One object is both the Generator and the Verifier, so the weights load once. Decoding is our own loop
over a KV cache rather than `generate()`: it gives per-step cancellation and progress, our stop strings,
a private `torch.Generator` (no global RNG state, safe in worker threads) and drops finished rows from the
batch as it goes. Prompts are left-padded with explicit position ids.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import torch
import torch.nn.functional as F

from tutor.errors import ConfigError, ModelLoadError
from tutor.models.base import ProgressCallback, Sample, SamplingControl, SequenceLogprob
from tutor.models.calculator import CalculatorRun, DecodingCalculator
from tutor.models.prompting import PromptFormat, StopStrings, verdict_token_ids
from tutor.models.sampling import JobQueue, SamplingRun, check_sampling_args, fit_prompt

log = logging.getLogger(__name__)
# Tokens sorted per row for nucleus sampling before falling back to a full sort.
_NUCLEUS_CANDIDATES = 256


@dataclass
class HFBackendConfig:
    """Options of the transformers backend (pass them as keyword options to `tutor.models.load`)."""

    max_batch_size: int = 64
    """Sequences decoded together; halved on a CUDA out-of-memory error."""
    score_batch_size: int = 32
    """Sequences per forward pass in `logprobs` and `p_correct`."""
    attn_implementation: str = "sdpa"
    """PyTorch's fused scaled-dot-product attention: fastest built-in choice on CPU and GPU."""
    compact_fraction: float = 0.25
    """Drop finished rows from the batch (and KV cache) once this fraction of it has finished."""

    @classmethod
    def from_options(cls, options: dict) -> HFBackendConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ConfigError(f"unknown option(s) for the transformers backend: {unknown}; known: {sorted(known)}")
        return cls(**options)


def pick_tokens(logits: torch.Tensor, temperature: float, top_p: float, generator: torch.Generator) -> torch.Tensor:
    """Next token per row: argmax at temperature 0, else nucleus sampling (smallest set with mass >= top_p)."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p >= 1.0:
        return torch.multinomial(probs, 1, generator=generator).squeeze(-1)
    # The nucleus is a prefix of the sorted order: when the top candidates already hold top_p of the
    # mass (nearly always), sorting only them is exact and much cheaper than sorting the vocabulary.
    sorted_probs, order = probs.topk(min(_NUCLEUS_CANDIDATES, probs.shape[-1]), dim=-1)
    if sorted_probs.sum(dim=-1).min() < top_p:
        sorted_probs, order = probs.sort(dim=-1, descending=True)
    # Keep a token while the mass before it is still below top_p, so the top token always survives.
    sorted_probs[(sorted_probs.cumsum(dim=-1) - sorted_probs) >= top_p] = 0.0
    choice = torch.multinomial(sorted_probs, 1, generator=generator)
    return order.gather(-1, choice).squeeze(-1)


def _one_call_at_a_time(method):
    """Serialise calls from several threads (the app's workers): the OOM fallback changes shared state."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


def _check_folder(path: Path) -> None:
    if not (path / "config.json").is_file():
        raise ModelLoadError(f"{path} is not a model folder: it has no config.json")
    if not any(path.glob("*.safetensors")):
        raise ModelLoadError(
            f"{path} has no .safetensors weights; only safetensors are loaded (pickled .bin weights can run code)"
        )


class HFModel:
    """Generator and Verifier over a transformers causal LM."""

    def __init__(self, path: str | Path, device: str = "auto", **options):
        from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

        self.path = Path(path)
        self.name = self.path.name
        self.config = HFBackendConfig.from_options(options)
        _check_folder(self.path)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif device.startswith("cuda") and not torch.cuda.is_available():
            raise ModelLoadError(f"device {device!r} was asked for, but torch sees no CUDA GPU; use --device cpu")
        self.device = torch.device(device)
        dtype = torch.bfloat16 if self.device.type == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
        try:
            model_config = AutoConfig.from_pretrained(self.path, trust_remote_code=False)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelLoadError(f"cannot read {self.path / 'config.json'}: {exc}") from exc
        architectures = getattr(model_config, "architectures", None) or []
        if not any(a.endswith("ForCausalLM") for a in architectures):
            raise ModelLoadError(
                f"{self.path} holds a {architectures or model_config.model_type} model; a causal language model "
                "(…ForCausalLM) is needed to generate solutions"
            )
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(self.path, trust_remote_code=False)
        except Exception as exc:  # tokenizers raises its own exception types for a corrupt tokenizer.json
            raise ModelLoadError(f"cannot load the tokenizer in {self.path}: {exc}") from exc
        try:
            self.model = AutoModelForCausalLM.from_pretrained(
                self.path,
                dtype=dtype,
                use_safetensors=True,
                trust_remote_code=False,
                attn_implementation=self.config.attn_implementation,
            )
        except Exception as exc:  # truncated/corrupt safetensors raise SafetensorError, OSError, RuntimeError...
            raise ModelLoadError(f"cannot load the weights in {self.path} (corrupt or truncated file?): {exc}") from exc
        self.model.to(self.device).eval()
        # transformers 5.2x renamed `past_key_values` to `cache` (argument and output field).
        forward_args = inspect.signature(self.model.forward).parameters
        self._cache_name = "cache" if "cache" in forward_args else "past_key_values"
        self._lock = threading.Lock()
        self._setup_tokens(model_config)

    def _setup_tokens(self, model_config) -> None:
        tok = self.tokenizer
        n_embeddings = self.model.get_input_embeddings().weight.shape[0]
        if len(tok) > n_embeddings:
            raise ModelLoadError(
                f"the tokenizer has {len(tok)} tokens but the model only {n_embeddings} embeddings: "
                "they do not belong together"
            )
        eos = set()
        for source in (getattr(self.model.generation_config, "eos_token_id", None), tok.eos_token_id):
            if isinstance(source, int):
                eos.add(source)
            elif source:
                eos.update(source)
        if not eos:
            raise ModelLoadError(f"the tokenizer in {self.path} has no EOS token, so generation could never stop")
        self.eos_ids = sorted(eos)
        self.pad_id = tok.pad_token_id if tok.pad_token_id is not None else self.eos_ids[0]
        template = getattr(tok, "chat_template", None)
        if isinstance(template, dict):  # several named templates: the default one is for chat
            template = template.get("default")
        self.prompt_format = PromptFormat(template or None, tok.bos_token or "", tok.eos_token or "")
        self._tokenizer_adds_bos = tok.bos_token_id is not None and tok("x")["input_ids"][:1] == [tok.bos_token_id]
        self.correct_id, self.incorrect_id = verdict_token_ids(self._encode_plain)
        self.max_positions = getattr(model_config, "max_position_embeddings", None) or 1 << 30
        self.context_length = self.max_positions
        self.backend = "transformers"
        self.quantization = str(next(self.model.parameters()).dtype).removeprefix("torch.").replace("float", "f")
        self._calculator: DecodingCalculator | None = None

    # ---- tokenization -------------------------------------------------------------------------------
    def _encode_plain(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def encode_prompt(self, text: str) -> list[int]:
        """Prompt ids: BOS when the tokenizer adds one and the (chat-rendered) text does not already start with it."""
        add = self.prompt_format.adds_bos(text, self._tokenizer_adds_bos)
        return self.tokenizer(text, add_special_tokens=add)["input_ids"]

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def solver_prompt(self, problem: str) -> str:
        return self.prompt_format.solver_prompt(problem)

    def prompt_tokens(self, prompt: str) -> int:
        return len(self.encode_prompt(prompt))

    def calculator(self) -> DecodingCalculator:
        """The decoding calculator over this tokenizer (built on first use: it reads every token's text)."""
        if self._calculator is None:
            tok = self.tokenizer
            pieces = tok.batch_decode([[i] for i in range(len(tok))])
            self._calculator = DecodingCalculator(self._encode_plain, self._decode, pieces)
        return self._calculator

    # ---- batched forward passes ---------------------------------------------------------------------
    def _left_padded(self, rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, width - len(row) :] = torch.tensor(row, dtype=torch.long)
            mask[i, width - len(row) :] = 1
        positions = (mask.cumsum(dim=-1) - 1).clamp(min=0)
        return ids.to(self.device), mask.to(self.device), positions.to(self.device)

    @_one_call_at_a_time
    @torch.inference_mode()
    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        if len(problems) != len(solutions):
            raise ValueError(f"{len(problems)} problems but {len(solutions)} solutions")
        rows = [
            fit_prompt(self.encode_prompt(self.prompt_format.verifier_prompt(p, s)), self.max_positions)
            for p, s in zip(problems, solutions)
        ]
        scores: list[float] = []
        for start in range(0, len(rows), self.config.score_batch_size):
            ids, mask, positions = self._left_padded(rows[start : start + self.config.score_batch_size])
            logits = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, logits_to_keep=1).logits
            last = logits[:, -1, :].float()
            # p(c) / (p(c) + p(i)) = sigmoid(logit_c - logit_i): the softmax normaliser cancels.
            scores += torch.sigmoid(last[:, self.correct_id] - last[:, self.incorrect_id]).tolist()
        return scores

    @_one_call_at_a_time
    @torch.inference_mode()
    def logprobs(self, prompt: str, continuations: Sequence[str]) -> list[SequenceLogprob]:
        prompt_ids = self.encode_prompt(prompt)
        results: list[SequenceLogprob] = []
        for start in range(0, len(continuations), self.config.score_batch_size):
            chunk = [self._encode_plain(c) for c in continuations[start : start + self.config.score_batch_size]]
            rows = [prompt_ids + c for c in chunk]
            ids, mask, positions = self._left_padded(rows)
            log_probs = F.log_softmax(self.model(input_ids=ids, attention_mask=mask, position_ids=positions).logits.float(), -1)
            width = ids.shape[1]
            for i, cont in enumerate(chunk):
                if not cont:
                    results.append(SequenceLogprob(0.0, 0.0, 0))
                    continue
                # Row i is right-aligned: its continuation occupies the last len(cont) columns, each
                # predicted by the column before it.
                targets = torch.tensor(cont, device=self.device)
                predicted_at = torch.arange(width - len(cont) - 1, width - 1, device=self.device)
                total = log_probs[i, predicted_at, targets].sum().item()
                results.append(SequenceLogprob(total, total / len(cont), len(cont)))
        return results

    # ---- sampling -------------------------------------------------------------------------------------
    @_one_call_at_a_time
    @torch.inference_mode()
    def sample(
        self,
        prompts: Sequence[str],
        n: int = 1,
        temperature: float = 0.7,
        top_p: float = 0.95,
        max_new_tokens: int = 384,
        stop: Sequence[str] = (),
        seed: int | None = None,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        calculator: bool = False,
        control: SamplingControl | None = None,
    ) -> list[list[Sample]]:
        check_sampling_args(n, temperature, top_p, max_new_tokens)
        prompt_rows = [fit_prompt(self.encode_prompt(p), self.max_positions, max_new_tokens) for p in prompts]
        queue = JobQueue(len(prompts), n, control)
        tools = CalculatorRun(self.calculator()) if calculator else None
        run = SamplingRun(len(prompts) * n, temperature, top_p, max_new_tokens, StopStrings(stop), on_progress,
                          cancel, tools)
        generator = torch.Generator(self.device)
        generator.manual_seed(seed if seed is not None else int(torch.seed() % (1 << 62)))
        while True:  # static batches of up to max_batch_size jobs; a control decides how many of a prompt start
            chunk: list[int] = []
            while len(chunk) < self.config.max_batch_size and (job := queue.next_job()) is not None:
                chunk.append(job)
            if not chunk:
                break
            try:
                self._decode_batch([prompt_rows[queue.prompt_of(job)] for job in chunk], run, generator,
                                   jobs=chunk, queue=queue)
            except torch.cuda.OutOfMemoryError:
                for job in chunk:
                    if queue.results[job] is None:
                        queue.give_back(job)
                self._recover_from_oom()
        if run.cancelled() and control is None:  # the contract without a control: n samples per prompt
            for job in queue.unstarted():
                queue.results[job] = run.finish([], "cancelled", "")
        run.close()
        return queue.rows()

    def _recover_from_oom(self) -> None:
        torch.cuda.empty_cache()
        if self.config.max_batch_size > 1:
            self.config.max_batch_size //= 2
            warnings.warn(f"CUDA out of memory; retrying with batches of {self.config.max_batch_size}", stacklevel=3)
            return
        warnings.warn("CUDA out of memory even for one sequence; moving the model to the CPU", stacklevel=3)
        self.device = torch.device("cpu")
        self.model.to(self.device, dtype=torch.float32)

    def _decode_batch(self, rows: list[list[int]], run: SamplingRun, generator: torch.Generator,
                      jobs: list[int], queue: JobQueue) -> None:
        """Decode one batch of prompts (row i is job jobs[i] of `queue`) to completion; each sample goes to the
        queue as it finishes, and a row whose prompt the queue no longer wants is dropped."""
        if run.cancelled():
            for job in jobs:
                queue.finish(job, run.finish([], "cancelled", ""))
            return
        calculator = run.calculator
        ids, mask, positions = self._left_padded(rows)
        out = self.model(input_ids=ids, attention_mask=mask, position_ids=positions, use_cache=True, logits_to_keep=1)
        cache, next_position = getattr(out, self._cache_name), positions[:, -1] + 1
        generated: list[list[int]] = [[] for _ in rows]
        live = list(range(len(rows)))  # batch row -> index into rows
        eos = torch.tensor(self.eos_ids, device=self.device)
        logits = out.logits[:, -1, :]
        # Without padding, no mask at all lets attention take its causal fast path.
        padded = bool((mask == 0).any())
        done = [False] * len(rows)

        def finish(row_job: int, reason: str) -> None:
            done[row_job] = True
            queue.finish(jobs[row_job], self._finish(generated[row_job], reason, run, jobs[row_job]))

        for _ in range(run.max_new_tokens):
            if calculator is not None:
                calculator.mask(logits, calculator.banned([jobs[job] for job in live]))
            tokens = pick_tokens(logits, run.temperature, run.top_p, generator)
            picked = tokens.tolist()
            if calculator is not None:  # a value the calculator writes replaces the sampled token
                forced = [calculator.next_token(jobs[job], token) for job, token in zip(live, picked)]
                if forced != picked:
                    picked, tokens = forced, torch.tensor(forced, device=self.device)
            is_eos = torch.isin(tokens, eos).tolist()
            keep = []
            for row, (job, token) in enumerate(zip(live, picked)):
                if done[job]:
                    continue  # finished, still in the batch until the next compaction
                if not queue.wanted(jobs[job]):  # its prompt's answer is settled
                    done[job] = True
                    queue.drop(jobs[job])
                    continue
                generated[job].append(token)
                run.tokens += 1
                reason = self._finish_reason(generated[job], is_eos[row], run)
                if reason:
                    finish(job, reason)
                else:
                    keep.append(row)
                    if calculator is not None:
                        calculator.observe(jobs[job], token, lambda job=job: self._decode(generated[job]))
            run.report(self._decode(generated[live[keep[0]]]) if keep else "")
            if not keep:
                break
            if run.cancelled():
                for row in keep:
                    finish(live[row], "cancelled")
                break
            if len(live) - len(keep) >= max(1, math.ceil(self.config.compact_fraction * len(live))):
                index = torch.tensor(keep, device=self.device)
                cache.batch_select_indices(index)
                tokens, mask, next_position = tokens[index], mask[index], next_position[index]
                live = [live[row] for row in keep]
                padded = bool((mask == 0).any())
            mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
            out = self.model(
                input_ids=tokens[:, None],
                attention_mask=mask if padded else None,
                position_ids=next_position[:, None],
                use_cache=True,
                **{self._cache_name: cache},
            )
            next_position, logits = next_position + 1, out.logits[:, -1, :]

    def _finish_reason(self, tokens: list[int], is_eos: bool, run: SamplingRun) -> str | None:
        if is_eos:
            return "stop"
        # Cheap test on the last few tokens first; the exact cut happens in _finish.
        if run.stops and run.stops.in_tail(self._decode(tokens[-(run.stops.longest + 4) :])):
            return "stop"
        if len(tokens) >= run.max_new_tokens:
            return "length"
        return None

    def _finish(self, tokens: list[int], reason: str, run: SamplingRun, job: int | None = None) -> Sample:
        body = tokens[:-1] if reason == "stop" and tokens and tokens[-1] in self.eos_ids else tokens
        return run.finish(tokens, reason, self._decode(body), job)
