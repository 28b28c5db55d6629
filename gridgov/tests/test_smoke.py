def test_tree_builds(tree):
    assert len(tree.grids) == 16
    assert {s.code for s in tree.streets} == {"410105001", "410105002"}
