// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketParams
/// @notice The marketplace's admin-set rates and windows, each bounded so an admin cannot set a
/// fee or a window that traps or confiscates funds.
interface IMarketParams is IMarketTypes {
    /// @notice Emitted when the admin changes the rates.
    event RatesUpdated(Rates rates);
    /// @notice Emitted when the admin changes the windows.
    event WindowsUpdated(Windows windows);

    /// @notice A rate is outside its bound (see the implementation's constants).
    error MarketplaceRatesOutOfBounds();
    /// @notice A window is shorter than the minimum or longer than the maximum window.
    error MarketplaceWindowsOutOfBounds();

    /// @notice Sets the rates. Admin only; applies to orders opened afterwards (fees) or settled
    /// afterwards (slash shares).
    function setRates(Rates calldata newRates) external;

    /// @notice Sets the windows. Admin only; applies to states entered afterwards.
    function setWindows(Windows calldata newWindows) external;

    /// @notice The current rates.
    function rates() external view returns (Rates memory);

    /// @notice The current windows.
    function windows() external view returns (Windows memory);
}
