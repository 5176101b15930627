// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IMarketplace} from "../interfaces/IMarketplace.sol";
import {MarketParams} from "./MarketParams.sol";
import {MarketAccounts} from "./MarketAccounts.sol";
import {MarketListings} from "./MarketListings.sol";
import {MarketSettlement} from "./MarketSettlement.sol";

/// @title Marketplace
/// @notice The nmrx prediction marketplace, assembled from its single-concern parts:
/// MarketRoles → MarketParams (link to MarketTerms, a contract of its own) → MarketAccounts →
/// MarketReputation → MarketListings → MarketOrders → MarketSettlement.
/// @dev The admin, treasury, first verifier and first arbiter should be four different accounts
/// (scripts/deploy.py does so by default); none may be zero.
contract Marketplace is MarketSettlement, IMarketplace {
    constructor(
        IERC20 token,
        IModelRegistry registry_,
        address admin_,
        address treasury_,
        address verifier,
        address arbiter,
        Rates memory initialRates,
        Windows memory initialWindows
    )
        MarketParams(admin_, verifier, arbiter, initialRates, initialWindows)
        MarketAccounts(token, treasury_)
        MarketListings(registry_)
    {}
}
