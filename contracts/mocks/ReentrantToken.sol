// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title ReentrantToken
/// @notice A hostile ERC-20 for tests: after every balance change it calls a configured target
/// with configured calldata (once, not recursively) and records whether that call succeeded.
contract ReentrantToken is ERC20 {
    address public hookTarget;
    bytes public hookData;
    uint256 public hookCalls;
    bool public lastHookSucceeded;
    bytes public lastHookError;
    bool private _inHook;

    constructor() ERC20("Hostile", "HOST") {}

    /// @notice Mints test tokens.
    function faucet(address to, uint256 value) external {
        _mint(to, value);
    }

    /// @notice Arms the hook (a zero target disarms it).
    function setHook(address target, bytes calldata data) external {
        hookTarget = target;
        hookData = data;
    }

    /// @notice Makes this token contract itself call `target` (to act as an account in the market).
    function callAsToken(address target, bytes calldata data) external {
        // slither-disable-next-line low-level-calls -- test mock: arbitrary call is the point
        (bool ok, bytes memory err) = target.call(data);
        if (!ok) {
            assembly {
                revert(add(err, 32), mload(err))
            }
        }
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (hookTarget == address(0) || _inHook) return;
        _inHook = true;
        // slither-disable-next-line low-level-calls,reentrancy-no-eth -- test mock: the reentrant call is the point
        (bool ok, bytes memory err) = hookTarget.call(hookData);
        hookCalls += 1;
        lastHookSucceeded = ok;
        lastHookError = err;
        _inHook = false;
    }
}
