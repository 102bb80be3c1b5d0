"""`trainer data stats`: coverage per curriculum topic (every template has exactly one topic, a topic with no
record shows as a gap), per wording and per source.

Run: python -m pytest tests/test_data_stats.py -q
"""

from trainer.cli import main as trainer_main
from trainer.data import Problem
from trainer.data.stats import coverage_report, topic_table, wording_table
from trainer.data.synth import REGISTRY, SynthConfig, generate, write_splits
from trainer.data.synth.topics import TOPIC_OF, TOPICS


def test_every_template_has_exactly_one_topic():
    listed = [name for names in TOPICS.values() for name in names]
    assert len(listed) == len(set(listed)), "a template in two topics"
    assert set(listed) == set(REGISTRY)


def test_the_curriculum_of_the_issue_is_covered():
    """Issue 24's list of what students ask, each with at least one template."""
    wanted = {"percent_of", "percent_change_between", "discount_and_tax", "proportion", "unit_rate",
              "speed_distance_time", "mean_of_list", "median_mode", "fraction_decimal_percent", "simplify_radical",
              "exponent_equation", "log_value", "linear_equation", "linear_system", "quadratic_solve",
              "slope_between_points", "distance_between_points", "midpoint", "perimeter_and_area", "solid_volume",
              "right_triangle_side", "coin_flips_exactly", "dice_sum_probability", "card_probability",
              "choose_committee", "arithmetic_sequence", "geometric_sequence_term", "determinant",
              "trig_special_angle", "right_triangle_trig", "polynomial_derivative"}
    assert wanted <= set(REGISTRY)


def test_topic_table_counts_records_and_shows_gaps():
    problems = list(generate(SynthConfig(n=300, seed=3, verify=False)))
    table = topic_table(problems)
    rows = {line[:33].strip(): line[33:].split() for line in table.splitlines()[1:]}
    assert set(TOPICS) <= set(rows)
    assert sum(int(row[0]) for row in rows.values()) == 300
    only = [Problem("p", "s", "1", "Algebra", 1, "u", source="synthetic", template="midpoint")]
    gaps = {line.split("  ")[0].strip(): line for line in topic_table(only).splitlines()[1:]}
    assert gaps["slope, distance & midpoint"].split()[-1] == "1/3"
    assert gaps["radicals"].split()[-3:] == ["0", "0.0%", "0/1"]
    real = Problem("p", "s", "1", "GSM8K", None, "u", source="gsm8k")
    assert "(real: gsm8k)" in topic_table([real]) and "(as written)" in wording_table([real])


def test_stats_cli_prints_topics_wordings_and_templates(tmp_path, capsys):
    write_splits(SynthConfig(n=200, seed=1, verify=False), tmp_path)
    assert trainer_main(["data", "stats", str(tmp_path / "train.jsonl"), "--templates"]) == 0
    out = capsys.readouterr().out
    for header in ("subject", "topic", "wording", "source", "template"):
        assert any(line.startswith(header) for line in out.splitlines()), header
    assert "casual" in out and "synthetic" in out
    assert any(name in out for name in TOPIC_OF)


def test_coverage_report_without_templates_has_four_tables():
    problems = list(generate(SynthConfig(n=50, seed=2, verify=False)))
    assert coverage_report(problems).count("\n\n") == 3
