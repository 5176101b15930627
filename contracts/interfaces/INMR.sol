// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The Numeraire (NMR) token's non-standard surface
/// @notice The mainnet token (0x1776e1F26f98b1A5dF9cD347953a26dd3Cb46671) predates most ERC-20
/// conventions. Besides the ERC-20 functions it has these; contracts that hold NMR should move it
/// only through SafeERC20 (`safeTransfer`, `forceApprove`) and never rely on the burn functions
/// reverting.
interface INMR is IERC20 {
    /// @notice Changes an allowance that is neither currently zero nor being set to zero.
    /// @dev `approve` itself only moves an allowance from zero or to zero.
    /// @param spender The account allowed to spend.
    /// @param oldValue The allowance the caller expects to replace; the call fails if it differs.
    /// @param newValue The new allowance.
    /// @return ok True on success.
    function changeApproval(address spender, uint256 oldValue, uint256 newValue) external returns (bool ok);

    /// @notice Burns `value` of the caller's tokens (the name is historical).
    /// @return ok False, without reverting, when the caller's balance is too small.
    function mint(uint256 value) external returns (bool ok);

    /// @notice Burns `value` tokens of `from` against the caller's allowance (the name is historical).
    /// @return ok False, without reverting, when the balance or the allowance is too small.
    function numeraiTransfer(address from, uint256 value) external returns (bool ok);
}
