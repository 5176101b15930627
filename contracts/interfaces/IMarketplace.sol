// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRoles} from "./IMarketRoles.sol";
import {IMarketParams} from "./IMarketParams.sol";
import {IMarketAccounts} from "./IMarketAccounts.sol";
import {IMarketReputation} from "./IMarketReputation.sol";
import {IMarketListings} from "./IMarketListings.sol";
import {IMarketOrders} from "./IMarketOrders.sol";
import {IMarketSettlement} from "./IMarketSettlement.sol";

/// @title IMarketplace
/// @notice The prediction marketplace: every concern's interface plus a solvency view.
/// @dev Solvency is checked from outside by `MarketLens`, which keeps this contract under the size limit.
interface IMarketplace is IMarketRoles, IMarketParams, IMarketAccounts, IMarketReputation, IMarketListings, IMarketOrders, IMarketSettlement {}
