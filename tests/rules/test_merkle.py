"""The activity tree is OpenZeppelin's StandardMerkleTree: known roots and tree indices from
@openzeppelin/merkle-tree, proofs that lead to the root, leaves encoded as abi.encode does, and
the page's rules.js checking the same leaves and proofs."""

from __future__ import annotations

import random
import secrets

import pytest
from eth_abi.abi import encode

from ledger.rules.engine import Activity
from ledger.rules.leaf import LEAF_TYPES, Leaf, leaf_from_json
from ledger.rules.merkle import build, leaf_hash, process_proof
from tests.rules.engines import in_node
from tests.rules.world import activity, rules_doc

# StandardMerkleTree.of(values, ["address"]).dump() with sortLeaves on: root and treeIndex of each value
EIGHT = [
    "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4", "0x000000000000d34c44564053af35e4fe271d0caa",
    "0x0000000000078c65a676f9a1f2ae66db0cbdff48", "0x00000000000a29a0800f6f557ddbbe8249397de7",
    "0x00000000000a40322164e8b9e1b909c388bf8317", "0x00000000000b69ec332f49b7c4d2b101f93c3bed",
    "0x00000000000be4d9faacf7f669f25118b1736666", "0xA8CC44274A9b35D1b55fBe7cfCa528b7a78Fb940",
]  # fmt: skip
EIGHT_ROOT = "7b304f9d916a40cd36caa8f6c157d088804dd56b4b5f1597167414f1e57c6699"
EIGHT_INDICES = [14, 12, 8, 9, 13, 11, 10, 7]


def test_the_tree_matches_openzeppelins_for_its_readme_example() -> None:
    values = [
        ("0x1111111111111111111111111111111111111111", 5 * 10**18),
        ("0x2222222222222222222222222222222222222222", 25 * 10**17),
    ]
    tree = build([leaf_hash(encode(["address", "uint256"], list(v))) for v in values])
    assert tree.root.hex() == "d4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"


def test_the_tree_matches_openzeppelins_layout_leaf_by_leaf() -> None:
    tree = build([leaf_hash(encode(["address"], [v])) for v in EIGHT])
    assert tree.root.hex() == EIGHT_ROOT
    assert tree.positions == EIGHT_INDICES


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13, 100])
def test_every_leafs_proof_leads_to_the_root_and_no_other_leaf_does(count: int) -> None:
    leaves = [secrets.token_bytes(32) for _ in range(count)]
    tree = build(leaves)
    for index, leaf in enumerate(leaves):
        assert process_proof(leaf, tree.proof(index)) == tree.root
    if count > 1:
        assert process_proof(leaves[0], tree.proof(1)) != tree.root


def test_a_leaf_is_encoded_as_abi_encode_and_read_back_from_its_json() -> None:
    for _ in range(20):
        wagers = tuple(random.randrange(2**96) for _ in range(random.randrange(5)))
        a = Activity(*(random.randrange(2**80) for _ in range(7)), wagers=wagers)  # type: ignore[arg-type]
        leaf = Leaf(
            secrets.token_bytes(32),
            secrets.token_bytes(32),
            a,
            random.randrange(2**96),
            secrets.token_bytes(32),
        )
        assert leaf.encode() == encode(
            LEAF_TYPES, [leaf.player, leaf.period, leaf.figures, leaf.reward, leaf.salt]
        )
        assert leaf_from_json(leaf.to_json()) == leaf


def test_the_page_recomputes_each_leaf_and_checks_its_proof_as_python_does() -> None:
    from ledger.rules.document import validate_rules
    from ledger.rules.period import compute_period

    rules = validate_rules(rules_doc())
    result = compute_period(rules, b"week-1".ljust(32, b"\x00"), activity(7))
    cases = []
    for i, leaf in enumerate(result.leaves):
        answer = result.proof_of(leaf.player)
        cases.append({"name": f"p{i}", "rules": "r", "leaf": answer["leaf"], "proof": answer["proof"], "root": answer["root"]})  # fmt: skip
    tampered = dict(
        cases[0], name="tampered", leaf={"types": LEAF_TYPES, "value": list(cases[0]["leaf"]["value"])}
    )
    tampered["leaf"]["value"][2] = ["1", *tampered["leaf"]["value"][2][1:]]  # deposits 0 -> 1
    got = in_node({"r": {"document": rules.data}}, [*cases, tampered])["results"]
    for leaf, digest, answer in zip(result.leaves, result.hashes, got, strict=False):
        assert answer["ok"] and answer["leaf"] == "0x" + digest.hex() and answer["total"] == str(leaf.reward)
    assert got[-1]["ok"] is False and "do not lead to the committed root" in got[-1]["problems"][0]
