"""Builds a tiny random LlamaForCausalLM + byte-level BPE tokenizer on disk, for model-backend tests.

No downloads: the tokenizer is trained in a fraction of a second with the `tokenizers` library on a small
built-in corpus, the model is randomly initialised (with a large init range so logits are far from
uniform and parity tests mean something). Used by tests/test_models*.py and tests/test_gguf*.py; not a
test module itself.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "Problem: What is 12 + 30?\nSolution:\n12 + 30 = 42.\nThe answer is \\boxed{42}.",
    "Problem: Simplify 3x + 4x.\nSolution:\n3x + 4x = 7x.\nSo the answer is \\boxed{7x}.",
    "Here is a math problem: 2 + 2. Here is a candidate solution: 4. The above candidate solution is correct",
    "Here is a math problem: 2 + 3. Here is a candidate solution: 6. The above candidate solution is incorrect",
    "Solve the following math problem step by step, one small step per line.",
    "Compute the value of (5 - 2) * 7 / 3, then x^2 - 9 = 0 so x = 3 or x = -3. Fractions: \\frac{1}{2}.",
    "Émilie paid 3.50 € for 2 apples; how much is one? Answer: 1.75 € — naïve café.",
]
SPECIALS = ["<|bos|>", "<|eos|>", "<|pad|>"]


def build_tokenizer(
    folder: Path, vocab_size: int = 400, add_bos: bool = True, chat_template: str | None = None, digits: bool = True
):
    """Train a byte-level BPE tokenizer and save it (HF format) into `folder`.

    `digits=True` splits digits one per token first, as the bundled model's tokenizer (trainer.data) does;
    False gives the plain GPT-2 pre-tokenizer.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE())
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.pre_tokenizer = (
        pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level]) if digits else byte_level
    )
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(CORPUS * 20, trainer=trainer)
    if add_bos:
        bos_id = tokenizer.token_to_id("<|bos|>")
        tokenizer.post_processor = processors.TemplateProcessing(
            single="<|bos|> $A", pair="<|bos|> $A <|bos|> $B", special_tokens=[("<|bos|>", bos_id)]
        )
    hf = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<|bos|>", eos_token="<|eos|>", pad_token="<|pad|>"
    )
    if chat_template:
        hf.chat_template = chat_template
    hf.save_pretrained(folder)
    return hf


def build_model(
    folder: Path,
    tie_embeddings: bool = True,
    add_bos: bool = True,
    chat_template: str | None = None,
    digits: bool = True,
    hidden: int = 64,
    layers: int = 2,
    heads: int = 4,
    kv_heads: int = 2,
    seed: int = 0,
    train_steps: int = 0,
    corpus: list[str] | None = None,
) -> Path:
    """Save a tiny Llama (safetensors) plus its tokenizer into `folder` and return the folder.

    Random by default; `train_steps` > 0 first overfits it on `corpus` (default CORPUS), so its greedy
    continuations of it have wide logit margins (backend parity tests then compare text, not coin flips at
    near-ties; the calculator's tests make it write a chosen wrong product).
    """
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(folder, add_bos=add_bos, chat_template=chat_template, digits=digits)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=kv_heads,
        max_position_embeddings=512,
        rms_norm_eps=1e-5,
        rope_theta=10000.0,
        tie_word_embeddings=tie_embeddings,
        initializer_range=0.15,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # random norms, so a missing or misplaced norm weight changes the output
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
    if train_steps:
        overfit(model, tokenizer, train_steps, corpus)
    model.save_pretrained(folder)
    return folder


def overfit(model, tokenizer, steps: int, corpus: list[str] | None = None) -> None:
    """Train `model` on `corpus` (default CORPUS) until it repeats it."""
    import torch

    rows = [tokenizer(text)["input_ids"] + [tokenizer.eos_token_id] for text in corpus or CORPUS]
    width = max(len(r) for r in rows)
    ids = torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows])
    labels = torch.tensor([r + [-100] * (width - len(r)) for r in rows])
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        loss = model(input_ids=ids, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()


CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
# Qwen2's pre-tokenizer regex (one digit per piece, letters with one leading non-letter).
QWEN2_SPLIT = (
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
    "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
)


def build_qwen2_chat_model(folder: Path, seed: int = 0, train_steps: int = 0, corpus: list[str] | None = None) -> Path:
    """A tiny random Qwen2ForCausalLM shaped like a real instruct model: Qwen2's pre-tokenizer, ChatML
    chat template, `<|im_end|>` as EOS (turn end), `<|endoftext|>` as pad, no BOS, q/k/v biases
    (`train_steps` > 0: overfitted on `corpus`, as in `build_model`)."""
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tokenizer.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator(CORPUS * 20, trainer=trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    hf.chat_template = CHATML_TEMPLATE
    hf.save_pretrained(folder)
    config = Qwen2Config(
        vocab_size=len(hf), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-6, tie_word_embeddings=True,
        initializer_range=0.15, eos_token_id=hf.eos_token_id, pad_token_id=hf.pad_token_id, bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
            elif name.endswith("_proj.bias"):
                param.normal_(0.0, 0.3)  # non-zero biases, so dropping or misplacing one shows
    if train_steps:
        overfit(model, hf, train_steps, corpus)
    model.save_pretrained(folder)
    return folder
