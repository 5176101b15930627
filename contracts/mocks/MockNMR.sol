// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {INMR} from "../interfaces/INMR.sol";

/// @title MockNMR
/// @notice Local stand-in for the Numeraire token that keeps the real token's quirks, so every
/// nmrx contract is tested against them:
/// - `approve` reverts unless the current allowance or the new one is zero;
/// - `changeApproval(spender, old, new)` is the way to move an allowance between two non-zero values;
/// - `mint(v)` burns from the caller and `numeraiTransfer(from, v)` burns from an approved
///   account, and both return false instead of reverting when they cannot;
/// - no EIP-2612 `permit`.
/// Plus `faucet`, which exists only on local chains: anyone may mint test NMR to anyone.
contract MockNMR is ERC20, INMR {
    event FaucetDripped(address indexed to, uint256 value);

    constructor() ERC20("Numeraire", "NMR") {}

    /// @notice Mints `value` test NMR to `to`. Local chains only.
    function faucet(address to, uint256 value) external {
        _mint(to, value);
        emit FaucetDripped(to, value);
    }

    /// @dev The real token reverts (with no reason) on a non-zero to non-zero change.
    function approve(address spender, uint256 value) public override(ERC20, IERC20) returns (bool) {
        require(value == 0 || allowance(msg.sender, spender) == 0);
        return super.approve(spender, value);
    }

    /// @inheritdoc INMR
    function changeApproval(address spender, uint256 oldValue, uint256 newValue) external returns (bool ok) {
        require(allowance(msg.sender, spender) == oldValue);
        _approve(msg.sender, spender, newValue);
        return true;
    }

    /// @inheritdoc INMR
    function mint(uint256 value) external returns (bool ok) {
        if (balanceOf(msg.sender) < value) return false;
        _burn(msg.sender, value);
        return true;
    }

    /// @inheritdoc INMR
    function numeraiTransfer(address from, uint256 value) external returns (bool ok) {
        if (balanceOf(from) < value || allowance(from, msg.sender) < value) return false;
        _spendAllowance(from, msg.sender, value);
        _burn(from, value);
        return true;
    }
}
