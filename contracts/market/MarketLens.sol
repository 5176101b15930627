// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketLens} from "../interfaces/IMarketLens.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";

/// @title MarketLens
/// @notice Solvency and hashing views over one marketplace, kept out of it for its size limit.
contract MarketLens is IMarketLens {
    /// @notice The marketplace read.
    IMarketplace public immutable market;

    constructor(IMarketplace market_) {
        market = market_;
    }

    /// @inheritdoc IMarketLens
    function solvency(address[] calldata accounts, Order[] calldata orders, uint256[] calldata bidIds)
        external
        view
        returns (uint256 held, uint256 owed)
    {
        IMarketplace m = market;
        held = m.nmr().balanceOf(address(m));
        owed = m.feesAccrued();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            owed += m.balanceOf(a) + m.feesDueOf(a) + m.sellerOf(a).bond + m.bondExitOf(a).amount;
        }
        for (uint256 i; i < orders.length; ++i) {
            Order calldata o = orders[i];
            if (m.orderHashOf(o.id) != keccak256(abi.encode(o))) revert MarketLensOrderMismatch(o.id);
            owed += uint256(o.price) + o.buyerCollateral + m.disputeOf(o.id).bond;
        }
        for (uint256 i; i < bidIds.length; ++i) {
            Bid memory b = m.bidOf(bidIds[i]);
            owed += uint256(b.price) + b.collateral;
        }
    }

    /// @inheritdoc IMarketLens
    function accountsOf(address[] calldata accounts) external view returns (uint256[5][] memory rows) {
        IMarketplace m = market;
        rows = new uint256[5][](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            rows[i] = [m.balanceOf(a), m.feesDueOf(a), m.sellerOf(a).bond, m.bondExitOf(a).amount, m.sellerOf(a).locked];
        }
    }

    /// @inheritdoc IMarketLens
    function hashOrder(Order calldata order) external pure returns (bytes32) {
        return keccak256(abi.encode(order));
    }
}
