// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTerms} from "./IMarketTerms.sol";

/// @title IMarketParams
/// @notice The marketplace's link to its terms (rates and windows, versioned in `IMarketTerms`).
interface IMarketParams {
    /// @notice The contract that keeps this marketplace's terms; the marketplace deployed it.
    function terms() external view returns (IMarketTerms);
}
