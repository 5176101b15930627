// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "../interfaces/IMarketTypes.sol";
import {IMarketTerms} from "../interfaces/IMarketTerms.sol";
import {IMarketParams} from "../interfaces/IMarketParams.sol";
import {MarketRoles} from "./MarketRoles.sol";
import {MarketTerms} from "./MarketTerms.sol";

/// @title MarketParams
/// @notice The marketplace's constants and its link to its terms: the versioned rates and windows
/// live in their own contract, `MarketTerms`, deployed here (which keeps the marketplace under the
/// contract size limit); listings and orders carry the id of the version they settle under.
abstract contract MarketParams is MarketRoles, IMarketParams {
    uint256 internal constant BPS = 10_000;
    /// @notice Latest delivery deadline a ladder or bid may set, counted from the purchase.
    uint32 public constant MAX_DELIVERY_DELAY = 30 days;

    /// @inheritdoc IMarketParams
    IMarketTerms public immutable terms;

    constructor(
        address admin_,
        address verifier,
        address arbiter,
        IMarketTypes.Rates memory initialRates,
        IMarketTypes.Windows memory initialWindows
    ) MarketRoles(admin_, verifier, arbiter) {
        terms = new MarketTerms(initialRates, initialWindows);
    }
}
