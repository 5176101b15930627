// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketLens
/// @notice Read-only checks over a marketplace that need more than one of its views.
interface IMarketLens is IMarketTypes {
    /// @notice An order struct does not match the marketplace's stored commitment.
    error MarketLensOrderMismatch(uint256 orderId);

    /// @notice What the marketplace owes, for a solvency check against what it holds.
    /// @param accounts Accounts whose balances, fees due, bonds and exiting bonds are counted.
    /// @param orders Open orders whose escrow (price, collateral, dispute bond) is counted.
    /// @param bidIds Bids whose escrow is counted.
    /// @return held The marketplace's NMR balance.
    /// @return owed The sum of the above plus accrued fees.
    function solvency(address[] calldata accounts, Order[] calldata orders, uint256[] calldata bidIds)
        external
        view
        returns (uint256 held, uint256 owed);

    /// @notice Per-account figures in one call, in the order of `accounts`: claimable balance,
    /// fees due, bond, exiting bond, bond locked by open orders.
    function accountsOf(address[] calldata accounts) external view returns (uint256[5][] memory rows);

    /// @notice The commitment the marketplace stores for `order`.
    function hashOrder(Order calldata order) external pure returns (bytes32);
}
