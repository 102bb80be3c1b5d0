"""Prompt formats shared by the model backends and the trainer, so training and inference never drift.

Two formats, each with a plain-text form (our own models and base models without a chat template) and a
chat form (instruct models whose tokenizer or GGUF metadata carries a chat template; the backend renders
the messages through that template):

- the solver prompt: problem -> step-by-step solution ending in `\\boxed{answer}`;
- the verifier prompt T(P, X) of Liu et al. 2023, read off at the next token as " correct" vs " incorrect".
"""

SOLVER_INSTRUCTION = (
    "Solve the following math problem step by step, one small step per line. "
    "Put the final answer in \\boxed{}."
)

# Our plain format: the trainer builds (prompt, solution) pairs with exactly these strings.
SOLVER_PREFIX = "Problem: "
SOLVER_SEPARATOR = "\nSolution:\n"
# A new "Problem:" means a base model has finished its solution and started inventing another one.
SOLVER_STOP = ("\nProblem:",)

VERIFIER_TEMPLATE = (
    "Here is a math problem: {problem}. Here is a candidate solution: {solution}. "
    "The above candidate solution is"
)
VERIFIER_QUESTION = (
    "Here is a math problem: {problem}. Here is a candidate solution: {solution}. "
    "Is the above candidate solution correct or incorrect?"
)
VERIFIER_ANSWER_PREFIX = "The above candidate solution is"
CORRECT_WORD = " correct"
INCORRECT_WORD = " incorrect"


def solver_prompt(problem: str) -> str:
    """Plain-text solver prompt; the solution (and, for training, the loss) starts right after it."""
    return f"{SOLVER_PREFIX}{problem.strip()}{SOLVER_SEPARATOR}"


def solver_messages(problem: str) -> list[dict[str, str]]:
    """Chat messages for an instruct model; render with add_generation_prompt=True."""
    return [{"role": "user", "content": f"{problem.strip()}\n\n{SOLVER_INSTRUCTION}"}]


def verifier_prompt(problem: str, solution: str) -> str:
    """Plain-text T(P, X); the next token is compared between CORRECT_WORD and INCORRECT_WORD."""
    return VERIFIER_TEMPLATE.format(problem=problem.strip(), solution=solution.strip())


def verifier_messages(problem: str, solution: str) -> tuple[list[dict[str, str]], str]:
    """Chat messages plus the assistant-turn prefix to append after the rendered generation prompt."""
    question = VERIFIER_QUESTION.format(problem=problem.strip(), solution=solution.strip())
    return [{"role": "user", "content": question}], VERIFIER_ANSWER_PREFIX
