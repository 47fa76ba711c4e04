// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReenteringToken
/// @notice A malicious test token: on every transfer out of `target` it calls `target` again with
/// `payload` (say, a second withdrawal), and with `bubble` reverts with that call's error. With
/// `refuse` set, `transfer` moves nothing and returns false.
contract ReenteringToken is ERC20 {
    address public target;
    bytes public payload;
    bool public bubble;
    bool public refuse;
    uint256 public attempts;
    uint256 public successes;

    constructor() ERC20("Reentering", "REE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address target_, bytes calldata payload_, bool bubble_) external {
        target = target_;
        payload = payload_;
        bubble = bubble_;
    }

    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (refuse) return false;
        return super.transfer(to, value);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == target && target != address(0) && payload.length != 0) {
            attempts += 1;
            (bool ok, bytes memory reason) = target.call(payload);
            if (ok) successes += 1;
            else if (bubble) {
                assembly ("memory-safe") {
                    revert(add(reason, 0x20), mload(reason))
                }
            }
        }
    }
}
