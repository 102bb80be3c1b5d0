"""The llama.cpp backend: a GGUF file run by llama-cpp-python with batched decoding of many sequences.

One object is both the Generator and the Verifier. Sampling keeps `n_parallel` sequences in flight in one
`llama_decode` call per step (continuous batching: a finished sequence's slot takes the next prompt at
once, its prompt prefilled in the same call as the others' next tokens; the N samples of one prompt share
one prefill through a KV cache copy). Tokens are picked in numpy from
the returned logits, with one random generator per sequence seeded from (seed, sequence index), so a
seed reproduces every sample whatever the batch layout.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import llama_cpp
import numpy as np

from tutor.errors import ConfigError
from tutor.models.base import ProgressCallback, Sample, SamplingControl, SequenceLogprob
from tutor.models.calculator import CalculatorRun, DecodingCalculator
from tutor.models.llama_runtime import KV_CACHE_TYPES, ContextShape, LlamaRuntime, cpu_has_native_bf16
from tutor.models.prefix import prefix_groups
from tutor.models.prompting import PromptFormat, StopStrings, verdict_token_ids
from tutor.models.sampling import (
    JobQueue,
    SamplingRun,
    check_sampling_args,
    fit_prompt,
    pick_tokens_np,
)

# llama.cpp's `general.file_type` (enum llama_ftype) for the types a Stepwise model is exported or downloaded in.
_FILE_TYPES = {0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 7: "q8_0", 8: "q5_0", 9: "q5_1", 10: "q2_k", 11: "q3_k_s",
               12: "q3_k_m", 13: "q3_k_l", 14: "q4_k_s", 15: "q4_k_m", 16: "q5_k_s", 17: "q5_k_m", 18: "q6_k",
               32: "bf16"}

log = logging.getLogger(__name__)


@dataclass
class LlamaCppConfig:
    """Options of the llama.cpp backend (pass them as keyword options to `tutor.models.load`)."""

    n_threads: int = 0
    """CPU threads for decoding; 0 = half the usable cores (llama.cpp's own default of one per physical
    core). Measured on a 2-core machine with another busy process: 2 threads ran 30x slower than 1,
    because llama.cpp's threads spin-wait on each other at every op."""
    n_parallel: int = 32
    """Sequences decoded together (each its own KV stream); more raises throughput and memory."""
    ctx_per_sequence: int = 1024
    """KV cache tokens per sequence (prompt + generated); capped at the model's training context."""
    n_batch: int = 512
    """Most tokens per `llama_decode` call (prompt prefill is chunked to it)."""
    score_parallel: int = 16
    """Sequences decoded together while scoring (p_correct, logprobs), in a unified KV cache where the rows
    sharing a prefix (one problem's candidates, one prompt's continuations) prefill it once."""
    score_cells: int = 4096
    """KV cells of the scoring context (at least ctx_per_sequence): the shared prefix plus the rows in
    flight must fit."""
    cpu_repack: bool = False
    """Use llama.cpp's extra CPU buffer types (AMX, repacked layouts); off because the AMX kernel of
    llama-cpp-python 0.3.36 segfaults on AMX CPUs (llama.cpp #20824); only Q4_0/IQ4_NL repack on x86."""
    f32_attention: bool = False
    """KV cache in f32 and flash attention off (its CPU kernel rounds Q to f16): logits within ~1e-5 of
    transformers on an f32 GGUF instead of ~1e-2; twice the KV memory. For parity checks."""
    kv_cache: str = "auto"
    """KV cache type for sampling: "f16", "bf16", "f32", or "auto" = bf16 on a CPU with hardware bf16 dot
    products (AVX512-BF16), else f16. Attention dominates decoding a small model, and measured on the
    bundled model (1 thread, 32 prompts x 16 samples) bf16 ran 1.36x faster than f16 where the CPU has it.
    Scoring (p_correct, logprobs) is prompt prefill, where bf16 ran 1.6x slower than f16: its own context
    (over the same weights) is f16 unless this is "f32"."""


@dataclass
class _Slot:
    """One in-flight sequence of a `sample` call."""

    job: int
    prompt: int  # index of the job's prompt: samples of one prompt share its prefill
    feed: list[int]  # tokens still to send: the prompt at first, then the last sampled token
    rng: np.random.Generator
    max_new_tokens: int
    pos: int = 0
    waiting: bool = False  # for another slot to finish prefilling the same prompt
    generated: list[int] = field(default_factory=list)
    data: bytearray = field(default_factory=bytearray)


class LlamaCppModel:
    """Generator and Verifier over a GGUF model."""

    def __init__(self, path: str | Path, device: str = "auto", **options):
        known = {f.name for f in fields(LlamaCppConfig)}
        if unknown := sorted(set(options) - known):
            raise ConfigError(f"unknown option(s) for the llama.cpp backend: {unknown}; known: {sorted(known)}")
        self.config = LlamaCppConfig(**options)
        self.path = Path(path)
        self.name = self.path.stem
        gpu_layers = -1 if device in ("auto", "cuda") and llama_cpp.llama_supports_gpu_offload() else 0
        if device == "cuda" and not gpu_layers:
            log.warning("this llama-cpp-python build has no GPU support; running %s on the CPU", self.path.name)
        kv_cache = "f32" if self.config.f32_attention else self.config.kv_cache
        if kv_cache == "auto":
            kv_cache = "bf16" if not gpu_layers and cpu_has_native_bf16() else "f16"
        elif kv_cache not in KV_CACHE_TYPES:
            raise ConfigError(f"kv_cache must be 'auto' or one of {sorted(KV_CACHE_TYPES)}, got {kv_cache!r}")
        shape = ContextShape(
            kv_cache=kv_cache,
            n_parallel=self.config.n_parallel,
            ctx_per_sequence=self.config.ctx_per_sequence,
            n_batch=self.config.n_batch,
            n_threads=self.config.n_threads or max(1, len(os.sched_getaffinity(0)) // 2),
            cpu_repack=self.config.cpu_repack,
            f32_attention=self.config.f32_attention,
        )
        self.runtime = LlamaRuntime(self.path, shape, gpu_layers)
        # Scoring is prefill of rows that share long prefixes: its own unified context over the same
        # weights, f16 unless the exact f32 mode is on (bf16 prefill is slower, see LlamaCppConfig.kv_cache).
        # One more sequence than score_parallel: sequence 0 holds the shared prefix. llama.cpp wants
        # n_batch >= the sequence count.
        ctx, sequences = self.runtime.shape.ctx_per_sequence, self.config.score_parallel + 1
        scoring = replace(self.runtime.shape, n_parallel=sequences, n_batch=max(self.runtime.shape.n_batch, sequences),
                          kv_unified=True, kv_cache="f32" if kv_cache == "f32" else "f16",
                          n_cells=max(self.config.score_cells, ctx))
        self.scorer = LlamaRuntime(self.path, scoring, gpu_layers, weights_of=self.runtime)
        rt = self.runtime
        self.prompt_format = PromptFormat(
            rt.metadata("tokenizer.chat_template"), rt.token_text(rt.bos), rt.token_text(rt.eos)
        )
        self.correct_id, self.incorrect_id = verdict_token_ids(lambda text: rt.tokenize(text, add_bos=False))
        self._lock = threading.Lock()  # a llama.cpp context serves one call at a time
        self.backend = "llama.cpp"
        self.quantization = _FILE_TYPES.get(int(rt.metadata("general.file_type") or -1), "unknown")
        self.context_length = rt.shape.ctx_per_sequence
        self._calculator: DecodingCalculator | None = None

    def close(self) -> None:
        self.scorer.close()  # before the runtime that owns the weights
        self.runtime.close()

    def solver_prompt(self, problem: str) -> str:
        return self.prompt_format.solver_prompt(problem)

    def prompt_tokens(self, prompt: str) -> int:
        return len(self.encode_prompt(prompt))

    def calculator(self) -> DecodingCalculator:
        """The decoding calculator over this vocabulary (built on first use: it reads every token's text)."""
        if self._calculator is None:
            rt = self.runtime
            pieces = [rt.piece(token).decode("utf-8", "replace") for token in range(rt.n_vocab)]
            self._calculator = DecodingCalculator(
                lambda text: rt.tokenize(text, add_bos=False),
                lambda ids: b"".join(rt.piece(token) for token in ids).decode("utf-8", "replace"),
                pieces)
        return self._calculator

    def encode_prompt(self, text: str) -> list[int]:
        """Prompt ids: BOS when the model adds one and the (chat-rendered) text does not already start with it."""
        ids = self.runtime.tokenize(text, add_bos=self.prompt_format.adds_bos(text, self.runtime.adds_bos))
        if not ids:
            raise ValueError("the prompt is empty and the model adds no BOS token: nothing to condition on")
        return ids

    # ---- scoring --------------------------------------------------------------------------------------
    def _forward(self, rows: list[list[int]], first_output: list[int], consume: Callable) -> None:
        """Run every row through the model, calling consume(row, position, logits) for positions >= first_output.

        Rows sharing a prefix (`prefix_groups`) prefill it once as sequence 0; each row then gets those cells
        as its own (no copy in a unified cache) and decodes only the rest, many rows per `llama_decode`.
        """
        rt = self.scorer
        for group in prefix_groups(rows, first_output):
            rt.clear()
            shared = group.shared
            if shared:
                self._decode_rows(rt, [(rows[group.rows[0]][:shared], -1, 0, shared)], consume)  # no outputs
            pending = deque(group.rows)
            while pending:
                wave, cells = [], shared
                while pending and len(wave) < rt.shape.n_parallel - 1:
                    need = len(rows[pending[0]]) - shared
                    if wave and cells + need > rt.shape.n_cells:
                        break
                    wave.append(pending.popleft())
                    cells += need
                if shared:
                    for seq in range(1, len(wave) + 1):
                        rt.share_prefix(0, seq, shared)
                self._decode_rows(rt, [(rows[r], r, seq, first_output[r]) for seq, r in enumerate(wave, start=1)],
                                  consume, start=shared)
                for seq in range(1, len(wave) + 1):
                    rt.forget(seq)

    @staticmethod
    def _decode_rows(rt: LlamaRuntime, work: list[tuple[list[int], int, int, int]], consume: Callable,
                     start: int = 0) -> None:
        """Feed positions start.. of each (row, row index, seq, first output) in n_batch-sized decode calls,
        calling consume(row index, position, logits) for the positions >= its first output."""
        outputs: list[tuple[int, int]] = []
        for row, r, seq, first in work:
            for pos in range(start, len(row)):
                if not rt.room:
                    for (rr, p), logits in zip(outputs, rt.decode(len(outputs))):
                        consume(rr, p, logits)
                    outputs = []
                wanted = pos >= first
                rt.add(row[pos], pos, seq, wanted)
                if wanted:
                    outputs.append((r, pos))
        if rt.n_in_batch:
            for (rr, p), logits in zip(outputs, rt.decode(len(outputs))):
                consume(rr, p, logits)

    def p_correct(self, problems: Sequence[str], solutions: Sequence[str]) -> list[float]:
        if len(problems) != len(solutions):
            raise ValueError(f"{len(problems)} problems but {len(solutions)} solutions")
        rows = [
            fit_prompt(self.encode_prompt(self.prompt_format.verifier_prompt(p, s)), self.runtime.shape.ctx_per_sequence)
            for p, s in zip(problems, solutions)
        ]
        margins = np.zeros(len(rows))

        def consume(r: int, _pos: int, logits: np.ndarray) -> None:
            # p(c) / (p(c) + p(i)) = sigmoid(logit_c - logit_i): the softmax normaliser cancels.
            margins[r] = float(logits[self.correct_id]) - float(logits[self.incorrect_id])

        with self._lock:
            self._forward(rows, [len(r) - 1 for r in rows], consume)
        return (1.0 / (1.0 + np.exp(-margins))).tolist()

    def logprobs(self, prompt: str, continuations: Sequence[str]) -> list[SequenceLogprob]:
        prompt_ids = self.encode_prompt(prompt)
        conts = [self.runtime.tokenize(c, add_bos=False) if c else [] for c in continuations]
        ctx = self.runtime.shape.ctx_per_sequence
        if conts and max(len(c) for c in conts) >= ctx:
            raise ValueError(f"a continuation is longer than the {ctx}-token context; load with a larger ctx_per_sequence")
        # Past the context, the prompt loses its beginning (as in sampling); each continuation stays whole.
        contexts = [prompt_ids[-(ctx - len(c)) :] for c in conts]
        rows = [p + c for p, c in zip(contexts, conts)]
        totals = np.zeros(len(rows))

        def consume(r: int, pos: int, logits: np.ndarray) -> None:
            if pos + 1 < len(rows[r]):  # logits at `pos` predict the token at pos + 1
                z = logits.astype(np.float64)
                top = z.max()
                totals[r] += z[rows[r][pos + 1]] - top - np.log(np.exp(z - top).sum())

        with self._lock:
            self._forward(rows, [len(p) - 1 for p in contexts], consume)
        return [SequenceLogprob(float(t), float(t) / len(c) if c else 0.0, len(c)) for t, c in zip(totals, conts)]

    # ---- sampling -------------------------------------------------------------------------------------
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
        ctx = self.runtime.shape.ctx_per_sequence
        prompt_ids = [fit_prompt(self.encode_prompt(p), ctx, max_new_tokens) for p in prompts]
        queue = JobQueue(len(prompts), n, control)
        tools = CalculatorRun(self.calculator()) if calculator else None
        run = SamplingRun(len(prompts) * n, temperature, top_p, max_new_tokens, StopStrings(stop), on_progress,
                          cancel, tools)
        base_seed = seed if seed is not None else int(np.random.SeedSequence().entropy % (1 << 63))
        with self._lock:
            self._sample_locked(prompt_ids, queue, run, base_seed)
        run.close()
        return queue.rows()

    def _sample_locked(self, prompt_ids: list[list[int]], queue: JobQueue, run: SamplingRun, base_seed: int) -> None:
        rt = self.runtime
        slots: list[_Slot | None] = [None] * rt.shape.n_parallel
        while True:
            for seq in range(len(slots)):
                job = queue.next_job() if slots[seq] is None and not run.cancelled() else None
                if job is not None:  # a free slot takes the next job at once (continuous batching)
                    rt.forget(seq)
                    ids = prompt_ids[queue.prompt_of(job)]
                    budget = min(run.max_new_tokens, rt.shape.ctx_per_sequence - len(ids))
                    rng = np.random.default_rng([base_seed, job])
                    slots[seq] = _Slot(job, queue.prompt_of(job), list(ids), rng, budget)
            for seq, slot in enumerate(slots):
                if slot is not None and slot.pos == 0:
                    self._share_prompt(slots, seq, prompt_ids[slot.prompt])
            live = [seq for seq in range(len(slots)) if slots[seq] is not None and not slots[seq].waiting]
            if not live:
                break
            # Sequences already generating go first (one token each), so a long prefill never starves them.
            live.sort(key=lambda seq: len(slots[seq].feed) > 1)
            outputs = []
            for seq in live:
                slot = slots[seq]
                take = min(len(slot.feed), rt.room)
                for k in range(take):
                    last = k == len(slot.feed) - 1
                    rt.add(slot.feed[k], slot.pos, seq, last)
                    slot.pos += 1
                slot.feed = slot.feed[take:]
                if take and not slot.feed:
                    outputs.append(seq)
            logits = rt.decode(len(outputs))
            if not outputs:
                continue  # every slot is still prefilling a long prompt in n_batch-sized chunks
            uniforms = np.array([slots[seq].rng.random() for seq in outputs]) if run.temperature else None
            calculator = run.calculator
            if calculator is not None:
                calculator.mask(logits, calculator.banned([slots[seq].job for seq in outputs]))
            for seq, token in zip(outputs, pick_tokens_np(logits, run.temperature, run.top_p, uniforms)):
                slot = slots[seq]
                token = int(token) if calculator is None else calculator.next_token(slot.job, int(token))
                slot.generated.append(token)
                run.tokens += 1
                reason = self._step(slot, token, run)
                if reason:
                    queue.finish(slot.job, run.finish(slot.generated, reason, slot.data.decode("utf-8", "replace"),
                                                      slot.job))
                    slots[seq] = None
                else:
                    slot.feed = [token]
                    if calculator is not None:
                        calculator.observe(slot.job, token, lambda slot=slot: slot.data.decode("utf-8", "replace"))
            for seq, slot in enumerate(slots):
                if slot is not None and not queue.wanted(slot.job):  # its prompt's answer is settled
                    queue.drop(slot.job)
                    slots[seq] = None
            in_flight = next((s for s in slots if s is not None and s.generated), None)
            run.report(in_flight.data.decode("utf-8", "replace") if in_flight else "")
            if run.cancelled():
                for seq, slot in enumerate(slots):
                    if slot is not None:
                        queue.finish(slot.job, run.finish(slot.generated, "cancelled",
                                                          slot.data.decode("utf-8", "replace"), slot.job))
                        slots[seq] = None
                if queue.control is None:  # the contract without a control: n samples per prompt, cancelled ones too
                    for job in queue.unstarted():
                        queue.results[job] = run.finish([], "cancelled", "")
                break

    def _share_prompt(self, slots: list[_Slot | None], seq: int, ids: list[int]) -> None:
        """Start slot `seq` from another slot's prefill of the same prompt instead of prefilling it again:
        copy that slot's KV cache of all but the prompt's last token and feed only the last one (its logits
        give the first sampled token). While another slot is still prefilling the prompt, wait for it.
        N samples of one prompt then cost one prefill, not N."""
        slot = slots[seq]
        same = [(other, s) for other, s in enumerate(slots)
                if s is not None and other != seq and s.prompt == slot.prompt and not s.waiting]
        donor = next((other for other, s in same if s.pos >= len(ids)), None)
        if donor is not None and len(ids) > 1:
            self.runtime.share_prefix(donor, seq, len(ids) - 1)
            slot.pos, slot.feed, slot.waiting = len(ids) - 1, [ids[-1]], False
        else:
            slot.waiting = any(s.pos < len(ids) for _, s in same)

    def _step(self, slot: _Slot, token: int, run: SamplingRun) -> str | None:
        """Record a sampled token; the finish reason if it ends the sequence."""
        if self.runtime.is_eog(token):
            return "stop"
        slot.data += self.runtime.piece(token)
        if run.stops and run.stops.in_tail(slot.data[-(4 * run.stops.longest + 8) :].decode("utf-8", "ignore")):
            return "stop"
        if len(slot.generated) >= slot.max_new_tokens:
            return "length"
        return None
