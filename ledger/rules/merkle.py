"""OpenZeppelin StandardMerkleTree, as @openzeppelin/merkle-tree 1.0 builds it, so standard tools
(and `MerkleProof.verify`) check its proofs.

A leaf hash is keccak256(keccak256(abi.encode(values))); a pair is hashed sorted; the leaves are
sorted by hash and laid out as the tree array's last entries in reverse order; node i has children
2i + 1 and 2i + 2; the root is node 0. Hashing uses safe-pysha3 (a third of pycryptodome's cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sha3 import keccak_256

from ledger.errors import InputError


def leaf_hash(encoded: bytes) -> bytes:
    """The StandardMerkleTree leaf hash of abi-encoded values."""
    digest: bytes = keccak_256(keccak_256(encoded).digest()).digest()
    return digest


def hash_pair(a: bytes, b: bytes) -> bytes:
    digest: bytes = keccak_256(a + b).digest() if a < b else keccak_256(b + a).digest()
    return digest


@dataclass(frozen=True)
class MerkleTree:
    """The tree array and, for each original leaf, its position in it."""

    tree: list[bytes]
    positions: list[int]  # positions[i]: tree index of the i-th leaf given

    @property
    def root(self) -> bytes:
        return self.tree[0]

    def proof(self, index: int) -> list[bytes]:
        """The proof of the index-th leaf given to `build` (siblings, leaf upwards)."""
        node, proof = self.positions[index], []
        while node > 0:
            proof.append(self.tree[node + 1 if node % 2 else node - 1])
            node = (node - 1) // 2
        return proof


def build(leaves: Sequence[bytes]) -> MerkleTree:
    """A tree over leaf hashes (sorted by hash, as StandardMerkleTree.of does by default)."""
    if not leaves:
        raise InputError("a Merkle tree needs at least one leaf")
    order = sorted(range(len(leaves)), key=leaves.__getitem__)
    size = 2 * len(leaves) - 1
    tree: list[bytes] = [b""] * size
    positions = [0] * len(leaves)
    for rank, original in enumerate(order):
        positions[original] = size - 1 - rank
        tree[size - 1 - rank] = leaves[original]
    for node in range(size - 1 - len(leaves), -1, -1):
        left, right = tree[2 * node + 1], tree[2 * node + 2]
        tree[node] = keccak_256(left + right).digest() if left < right else keccak_256(right + left).digest()
    return MerkleTree(tree, positions)


def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root a leaf and its proof lead to (OpenZeppelin MerkleProof.processProof)."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node
