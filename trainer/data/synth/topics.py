"""The curriculum the synthetic templates cover: each template's topic, in the order a student meets them
(middle school to precalculus). `trainer data stats` counts records per topic with it, and a test checks
that every template has exactly one topic.
"""

from __future__ import annotations

TOPICS: dict[str, tuple[str, ...]] = {
    "arithmetic & order of operations": ("order_of_operations", "powers_sum"),
    "fractions": ("fraction_sum", "fraction_of_remainder"),
    "fraction, decimal & percent": ("fraction_decimal_percent",),
    "percent, discount & tax": ("percent_of", "percent_change", "percent_change_between", "discount_and_tax"),
    "ratio & proportion": ("ratio_share", "proportion"),
    "unit rates, speed & units": ("unit_rate", "speed_distance_time", "unit_conversion"),
    "mean, median & mode": ("mean_of_list", "median_mode"),
    "linear equations & systems": ("linear_equation", "linear_system", "sum_and_difference", "consecutive_integers",
                                   "inverse_linear_function"),
    "quadratics": ("quadratic_roots", "quadratic_solve", "quadratic_extremum", "vieta_sum_of_squares"),
    "radicals": ("simplify_radical",),
    "exponents & logarithms": ("exponent_equation", "logarithm_sum", "log_value"),
    "functions & polynomials": ("evaluate_function", "remainder_theorem", "binomial_coefficient_term",
                                "absolute_value_equation", "polynomial_derivative"),
    "complex numbers": ("complex_product", "complex_modulus"),
    "slope, distance & midpoint": ("slope_between_points", "distance_between_points", "midpoint"),
    "sequences & series": ("arithmetic_sequence", "geometric_sequence_term", "geometric_series", "telescoping_sum"),
    "perimeter & area": ("perimeter_and_area", "rectangle_from_perimeter", "triangle_area_coordinates",
                         "trapezoid_area", "circle_area_from_circumference", "sector_arc", "square_from_diagonal"),
    "volume & surface area": ("solid_volume", "box_volume_surface", "box_space_diagonal"),
    "angles, polygons & similarity": ("triangle_angles", "polygon_interior_angle", "similar_triangles"),
    "Pythagoras": ("right_triangle_side",),
    "probability: coins, dice & cards": ("coin_flips_exactly", "dice_sum_probability", "at_least_one",
                                         "expected_die_value", "marbles_without_replacement", "card_probability"),
    "counting": ("choose_committee", "officers_permutation", "word_arrangements", "handshakes", "circular_arrangements",
                 "digit_strings"),
    "number theory": ("gcd_euclid", "lcm_by_factoring", "power_remainder", "units_digit", "divisor_count",
                      "base_to_decimal", "modular_inverse", "count_multiples", "digit_sum_divisibility"),
    "determinants & matrices": ("determinant", "matrix_product_entry_sum"),
    "vectors": ("dot_product", "vector_magnitude", "scalar_projection"),
    "trigonometry": ("trig_special_angle", "right_triangle_trig", "degrees_to_radians", "inverse_trig", "trig_period",
                     "polar_to_rectangular"),
}
TOPIC_OF: dict[str, str] = {name: topic for topic, names in TOPICS.items() for name in names}


def topic_of(template: str | None) -> str:
    """The curriculum topic of a template (`"other"` for an unknown one or a record without a template)."""
    return TOPIC_OF.get(template or "", "other")
