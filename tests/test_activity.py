"""Node-behaviour metrics on small hand-made arrays whose answers are known."""

import math

import numpy as np
import pytest

from actstudy.metrics.activity import (
    activate,
    class_activity,
    class_medians,
    dead_nodes,
    is_on,
    layer_sparsity,
    mean_se,
    node_activity,
    polarised_percentage,
)

# 6 samples x 3 nodes; classes 0, 0, 1, 1, 2, 2
Z = np.array(
    [
        [1.0, -1.0, -2.0],
        [2.0, 0.0, -1.0],
        [-1.0, 3.0, -0.5],
        [-2.0, 1.0, -3.0],
        [0.5, -1.0, -1.0],
        [-0.5, 2.0, 0.0],
    ]
)
LABELS = np.array([0, 0, 1, 1, 2, 2])


def test_on_means_z_above_zero_for_both_activations():
    assert is_on(np.array([0.0, 1e-6, -1e-6])).tolist() == [False, True, False]
    z = np.array([-3.0, 0.0, 2.0])
    np.testing.assert_array_equal(activate(z, "relu") > 0, is_on(z))
    np.testing.assert_array_equal(activate(z, "sigmoid") > 0.5, is_on(z))
    assert activate(np.array([0.0]), "sigmoid")[0] == 0.5


def test_class_medians():
    a = activate(Z, "relu")
    medians = class_medians(a, LABELS, n_classes=4)
    np.testing.assert_allclose(medians[0], [1.5, 0.0, 0.0])
    np.testing.assert_allclose(medians[1], [0.0, 2.0, 0.0])
    np.testing.assert_allclose(medians[2], [0.25, 1.0, 0.0])
    assert np.isnan(medians[3]).all()  # a class with no samples


def test_class_activity_in_percent():
    activity = class_activity(Z, LABELS, n_classes=3)
    np.testing.assert_allclose(activity, [[100, 0, 0], [0, 100, 0], [50, 50, 0]])
    np.testing.assert_allclose(node_activity(Z), [50, 50, 0])


def test_dead_nodes_and_sparsity_exclude_dead():
    np.testing.assert_array_equal(dead_nodes(Z), [False, False, True])  # z = 0 is off
    # nodes 0 and 1 are each off for 3 of 6 samples; dead node 2 does not count
    assert layer_sparsity(Z) == pytest.approx(50.0)
    assert math.isnan(layer_sparsity(-np.ones((4, 2))))
    assert layer_sparsity(np.ones((4, 2))) == 0.0


def test_untrained_like_layer_is_about_half_sparse():
    z = np.random.default_rng(0).standard_normal((20000, 50))
    assert layer_sparsity(z) == pytest.approx(50.0, abs=1.0)


def test_mean_and_standard_error_over_seeds():
    assert mean_se([1.0, 2.0, 3.0]) == pytest.approx((2.0, 1.0 / math.sqrt(3)))
    assert mean_se([4.0]) == (4.0, 0.0)
    assert mean_se([2.0, float("nan")]) == (2.0, 0.0)


def test_the_alternative_readings_change_exactly_what_they_say():
    # z >= 0 as on: node 1's z = 0 (second sample) turns on, and node 2's single z = 0
    # (last sample) makes it alive, on for 1 of 6
    assert is_on(np.array([0.0, -1e-6]), on_at_zero=True).tolist() == [True, False]
    np.testing.assert_array_equal(dead_nodes(Z, on_at_zero=True), [False, False, False])
    np.testing.assert_allclose(node_activity(Z, on_at_zero=True), [50, 400 / 6, 100 / 6])
    assert layer_sparsity(Z, on_at_zero=True) == pytest.approx((50 + 200 / 6 + 500 / 6) / 3)
    # dead nodes counted: node 2 is off for all 6 samples
    assert layer_sparsity(Z, include_dead=True) == pytest.approx((50 + 50 + 100) / 3)
    assert layer_sparsity(-np.ones((4, 2)), include_dead=True) == 100.0
    # z > 0.5 as on (Section 6.2.2's sigmoid wording): node 0's z = 0.5 (fifth sample) turns
    # off, leaving 2 of 6 on; node 1 is on for 3 of 6 (3, 1, 2); node 2 stays dead
    np.testing.assert_allclose(node_activity(Z, threshold=0.5), [200 / 6, 50, 0])
    np.testing.assert_array_equal(dead_nodes(Z, threshold=0.5), [False, False, True])
    assert layer_sparsity(Z, threshold=0.5) == pytest.approx((400 / 6 + 50) / 2)
    np.testing.assert_allclose(class_activity(Z, LABELS, 3, threshold=0.5)[:, 0], [100, 0, 0])


def test_polarised_nodes_are_within_the_margin_of_0_or_100_percent():
    # 0, 10 and 100 are polarised (10 points of margin, ends included); 10.5, 50 and 89 are not
    assert polarised_percentage(np.array([0.0, 10.0, 100.0, 10.5, 50.0, 89.0])) == pytest.approx(50.0)
    assert polarised_percentage(np.array([[5.0, 95.0], [50.0, 50.0]])) == pytest.approx(50.0)  # any shape
    assert polarised_percentage(np.array([40.0, 60.0]), margin=40.0) == 100.0
    assert polarised_percentage(np.array([0.0, np.nan, 50.0])) == 50.0  # a class without samples: left out
    assert math.isnan(polarised_percentage(np.array([])))


def test_median_saturated_percentage_counts_medians_at_the_activation_s_saturation_points():
    from actstudy.metrics.activity import median_saturated_percentage

    # ReLU: a median of exactly 0 is at its saturation point, any positive one is not
    assert median_saturated_percentage(np.array([[0.0, 0.0], [0.3, np.nan]]), "relu") == pytest.approx(200 / 3)
    # sigmoid: within 0.05 of 0 or of 1
    medians = np.array([[0.01, 0.5, 0.96, 0.94]])
    assert median_saturated_percentage(medians, "sigmoid") == pytest.approx(50.0)
    assert np.isnan(median_saturated_percentage(medians, "gelu"))  # no saturation point named


def test_full_activity_drop_is_the_share_at_100_percent_on_training_minus_test():
    from actstudy.metrics.activity import full_activity_drop

    train = np.array([[100.0, 100.0, 50.0, 0.0], [100.0, np.nan, 99.9, 100.0]])
    test = np.array([[100.0, 99.0, 100.0, 0.0], [100.0, 100.0, 99.0, 99.0]])
    # of the 7 pairs with both: 4 at 100 % in training, 3 on the test set
    assert full_activity_drop(train, test) == pytest.approx(100.0 * (4 - 3) / 7)
    assert np.isnan(full_activity_drop(np.array([np.nan]), np.array([1.0])))


def test_high_activity_and_classes_on_count_what_a_node_is_on_for():
    from actstudy.metrics.activity import classes_on, high_activity_percentage

    # 3 classes x 3 nodes: node 0 on for one class, node 1 for all three, node 2 dead
    activity = np.array([[95.0, 60.0, 0.0], [10.0, 80.0, 0.0], [5.0, 51.0, 0.0]])
    assert high_activity_percentage(activity) == pytest.approx(100 / 9)  # only the 95
    assert classes_on(activity, dead=np.array([False, False, True])) == pytest.approx((1 + 3) / 2)
    assert np.isnan(classes_on(activity, dead=np.array([True, True, True])))


def test_class_separation_is_the_share_of_a_node_s_variance_between_the_class_means():
    from actstudy.metrics.activity import class_separation

    labels = np.array([0, 0, 1, 1])
    # per node: classes at 0 and 2 (100 %); the same mean (0 %); 0,1 | 2,3 (4 of 5 between: 80 %); constant (left out)
    z = np.array([[0.0, 0.0, 0.0, 1.0], [0.0, 2.0, 1.0, 1.0], [2.0, 0.0, 2.0, 1.0], [2.0, 2.0, 3.0, 1.0]])
    assert class_separation(z, labels, n_classes=3) == pytest.approx((100.0 + 0.0 + 80.0) / 3)
    assert np.isnan(class_separation(np.ones((4, 2)), labels, n_classes=2))


def test_mean_class_median_first_layer_above_and_the_seeds_spread_over_epochs():
    from actstudy.metrics.activity import epoch_seed_se, first_layer_above, mean_class_median

    assert mean_class_median(np.array([[1.0, 2.0], [np.nan, 3.0]])) == pytest.approx(2.0)
    assert first_layer_above([20.0, 50.0, 60.0, 80.0]) == 3.0  # 50 is not above one half
    assert np.isnan(first_layer_above([10.0, 20.0]))
    # epoch 1: seeds 1, 3 (SE 1); epoch 2: seeds 2, 2, 5 (SD sqrt 3, SE 1); the third seed lacks epoch 1
    assert epoch_seed_se(np.array([[1.0, 2.0], [3.0, 2.0], [np.nan, 5.0]])) == pytest.approx(1.0)
    assert np.isnan(epoch_seed_se(np.array([[1.0, 2.0]])))
